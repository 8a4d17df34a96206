package io.ferry.client.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.client.internal.GroupMembership.Reconciliation;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@code FerryConsumer} with a {@code group.id} holds for its group: the membership, its heartbeat
 * thread and the committed offsets, wired from the consumer's configuration. The consumer's thread calls
 * it; the heartbeat thread runs behind it.
 */
public final class ConsumerGroup implements AutoCloseable {

    private final ConsumerConfig config;
    private final GroupMembership membership;
    private final GroupHeartbeat heartbeat;
    private final GroupOffsets offsets;

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

    /** Commits as the member at its current epoch, within {@code default.api.timeout.ms}. */
    public void commit(Map<TopicPartition, OffsetAndMetadata> committed) {
        offsets.commit(committed, membership.memberId(), membership.epoch(), deadline());
    }

    public Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions) {
        return offsets.fetch(partitions, deadline());
    }

    private CallDeadline deadline() {
        return CallDeadline.after(config.defaultApiTimeoutMs(), config.retryBackoffMs(), config.requestTimeoutMs());
    }

    /** Stops the heartbeat thread, then leaves the group (when in it) from the caller's thread. */
    @Override
    public void close() {
        heartbeat.close();
        heartbeat.leave();
    }
}
