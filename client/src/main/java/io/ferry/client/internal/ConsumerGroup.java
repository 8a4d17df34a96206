package io.ferry.client.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.FerryInterruptedException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.OffsetCommitCallback;
import io.ferry.client.TopicPartition;
import io.ferry.client.internal.GroupMembership.Reconciliation;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a {@code FerryConsumer} with a {@code group.id} holds for its group: the membership, its heartbeat
 * thread and the committed offsets, wired from the consumer's configuration. The consumer's thread calls
 * it; the heartbeat thread and a commit thread run behind it.
 */
public final class ConsumerGroup implements AutoCloseable {

    private final ConsumerConfig config;
    private final GroupMembership membership;
    private final GroupHeartbeat heartbeat;
    private final GroupOffsets offsets;
    /** One daemon thread that makes the asynchronous commits (and a synchronous one behind them) in order. */
    private final ExecutorService committer;
    /**
     * Asynchronous commits handed to {@link #committer} whose callbacks are not queued yet: a synchronous
     * commit goes behind them.
     */
    private final AtomicInteger asyncCommitsPending = new AtomicInteger();
    /** Callbacks of asynchronous commits that ended, for the consumer's thread to call. */
    private final Queue<Runnable> completed = new ConcurrentLinkedQueue<>();

    public ConsumerGroup(ConsumerConfig config, GroupCoordinatorCalls coordinators) {
        this.config = config;
        String instanceId = config.groupInstanceId();
        this.membership = new GroupMembership(
                config.groupId(),
                instanceId.isEmpty() ? Optional.empty() : Optional.of(instanceId),
                config.clientId(),
                config.maxPollIntervalMs());
        String id = config.clientId().isEmpty() ? "" : "-" + config.clientId();
        this.heartbeat = new GroupHeartbeat(
                membership,
                coordinators,
                config.retryBackoffMs(),
                config.requestTimeoutMs(),
                config.maxPollIntervalMs(),
                "ferry-consumer" + id + "-heartbeat");
        this.offsets = new GroupOffsets(config.groupId(), coordinators);
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-consumer" + id + "-commit");
            t.setDaemon(true);
            return t;
        });
    }

    public void subscribe(Set<String> topics, String regex) {
        membership.subscribe(topics, regex);
    }

    /** Leaves the group; the heartbeat thread sends the leave. The caller gave up its partitions first. */
    public void unsubscribe() {
        membership.leave();
    }

    /** The application polled: restarts {@code max.poll.interval.ms}. */
    public void polled() {
        heartbeat.polled();
    }

    public Reconciliation reconciliation() {
        return membership.reconciliation();
    }

    /** Waits up to {@code deadlineNanos} for an assignment change to apply. */
    public void awaitReconciliation(long deadlineNanos) {
        membership.awaitReconciliation(deadlineNanos);
    }

    public void applied(Reconciliation done, Set<TopicPartition> nowOwned) {
        membership.owned(done, nowOwned);
    }

    /**
     * Commits as the member at its current epoch (from outside the group when not subscribed), within
     * {@code default.api.timeout.ms}, after the asynchronous commits before it, so a later commit is never
     * overtaken: on the commit thread when some are still to be made, else at once from the caller's thread
     * (only the consumer's thread commits), which spares a commit two thread hand-offs.
     */
    public void commit(Map<TopicPartition, OffsetAndMetadata> committed) {
        if (asyncCommitsPending.get() == 0) {
            commitNow(committed);
        } else {
            awaitOnCommitThread(committed);
        }
        runCallbacks();
    }

    private void awaitOnCommitThread(Map<TopicPartition, OffsetAndMetadata> committed) {
        Future<?> done = committer.submit(() -> commitNow(committed));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryInterruptedException("interrupted while committing offsets", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Commits on the commit thread; the callback's call waits for {@link #runCallbacks} on the consumer's thread. */
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> committed, OffsetCommitCallback callback) {
        asyncCommitsPending.incrementAndGet();
        committer.execute(() -> {
            Exception failure = null;
            try {
                commitNow(committed);
            } catch (RuntimeException e) {
                failure = e;
            }
            Exception outcome = failure;
            completed.add(() -> callback.onComplete(committed, outcome));
            asyncCommitsPending.decrementAndGet();
        });
    }

    /** Calls the callbacks of the asynchronous commits that ended, in commit order. */
    public void runCallbacks() {
        for (Runnable done; (done = completed.poll()) != null; ) {
            done.run();
        }
    }

    private void commitNow(Map<TopicPartition, OffsetAndMetadata> committed) {
        GroupMembership.Committer committer = membership.committer();
        offsets.commit(committed, committer.memberId(), committer.epoch(), deadline());
    }

    public Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions) {
        return offsets.fetch(partitions, deadline());
    }

    private CallDeadline deadline() {
        return CallDeadline.after(config.defaultApiTimeoutMs(), config.retryBackoffMs(), config.requestTimeoutMs());
    }

    /**
     * Lets the asynchronous commits end (their callbacks are called), stops the heartbeat thread, then leaves the group (when in it) from the caller's thread. */
    @Override
    public void close() {
        committer.shutdown();
        try {
            if (!committer.awaitTermination(config.defaultApiTimeoutMs(), TimeUnit.MILLISECONDS)) {
                committer.shutdownNow();
            }
        } catch (InterruptedException e) {
            committer.shutdownNow();
            Thread.currentThread().interrupt();
        }
        runCallbacks();
        heartbeat.close();
        heartbeat.leave();
    }
}
