package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's heartbeat thread (a daemon): sends the ConsumerGroupHeartbeat that {@link GroupMembership}
 * builds every heartbeat interval, or at once when the membership asks, through {@link GroupCoordinatorCalls}
 * (which finds the coordinator and retries its retriable errors), and hands each answer back. It also
 * watches {@code max.poll.interval.ms}: an application that stopped polling leaves the group, as in Kafka.
 * It owns no state of its own but the time of the last poll.
 */
public final class GroupHeartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupHeartbeat.class);

    private final GroupMembership membership;
    private final GroupCoordinatorCalls coordinators;
    private final long retryBackoffMs;
    private final long requestTimeoutMs;
    private final long maxPollIntervalNanos;
    /** {@link System#nanoTime()} of the application's last poll. */
    private final AtomicLong lastPollNanos = new AtomicLong(System.nanoTime());

    private final Thread thread;
    private volatile boolean running = true;

    public GroupHeartbeat(
            GroupMembership membership,
            GroupCoordinatorCalls coordinators,
            long retryBackoffMs,
            long requestTimeoutMs,
            long maxPollIntervalMs,
            String threadName) {
        this.membership = membership;
        this.coordinators = coordinators;
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.maxPollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(maxPollIntervalMs);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** The application polled: its {@code max.poll.interval.ms} starts again. */
    public void polled() {
        lastPollNanos.set(System.nanoTime());
    }

    private void run() {
        while (running) {
            try {
                long untilExpiry = maxPollIntervalNanos - (System.nanoTime() - lastPollNanos.get());
                // Once expired (or while unsubscribed, not polling) only the heartbeat interval paces the loop.
                membership.awaitHeartbeat(untilExpiry > 0 ? untilExpiry : Long.MAX_VALUE / 4);
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            if (System.nanoTime() - lastPollNanos.get() >= maxPollIntervalNanos) {
                membership.pollTimerExpired();
            }
            membership.request().ifPresent(this::send);
        }
    }

    /**
     * Sends one heartbeat and hands the answer to the membership. Errors the membership acts on (fencing)
     * are answers, not failures; a failure is logged and the heartbeat retried after {@code retry.backoff.ms}.
     */
    public void send(ConsumerGroupHeartbeatRequest request) {
        // The attempts of this call (to a coordinator found again after a failure, each with the owned
        // partitions: GroupMembership.attempt) and the one that was answered. Only this thread uses them.
        int[] attempts = {0};
        ConsumerGroupHeartbeatRequest[] answered = {request};
        try {
            ConsumerGroupHeartbeatResponse response = coordinators.call(
                    "heartbeat of group " + request.getGroupId(),
                    request.getGroupId(),
                    s -> {
                        answered[0] = membership.attempt(request, attempts[0]++);
                        return s.consumerGroupHeartbeat(answered[0]);
                    },
                    GroupHeartbeat::retriableError,
                    CallDeadline.after(requestTimeoutMs, retryBackoffMs, requestTimeoutMs));
            if (response.getError().getCode() != ErrorCode.NONE) {
                LOG.warn(
                        "group {}: heartbeat answered {}: {}",
                        request.getGroupId(),
                        response.getError().getCode(),
                        response.getError().getMessage());
            }
            membership.onResponse(answered[0], response);
        } catch (FerryException e) {
            LOG.warn("group {}: heartbeat failed: {}", request.getGroupId(), e.getMessage());
            membership.heartbeatFailed(TimeUnit.MILLISECONDS.toNanos(retryBackoffMs));
        }
    }

    /** The error for {@link GroupCoordinatorCalls} to retry, or none so the answer comes back to be read. */
    private static Error retriableError(ConsumerGroupHeartbeatResponse response) {
        return ErrorCodes.isRetriable(response.getError().getCode()) ? response.getError() : Error.getDefaultInstance();
    }

    /** Stops the thread, waiting for a heartbeat in flight to end at most {@code request.timeout.ms}. */
    @Override
    public void close() {
        running = false;
        membership.wake();
        try {
            thread.join(requestTimeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds and sends the leave heartbeat on the caller's thread, once the thread is stopped. */
    public void leave() {
        membership.leave();
        Optional<ConsumerGroupHeartbeatRequest> request = membership.request();
        request.ifPresent(this::send);
    }
}
