package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.peer.PeerCallException;
import io.ferry.proto.v1.CommitOffset;
import io.ferry.proto.v1.CommitPartitionResult;
import io.ferry.proto.v1.CommitResult;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupAssignment;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.RecordError;
import io.ferry.proto.v1.SubscribeCommit;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.storage.TopicPartition;
import io.grpc.Status;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group membership of one group Subscribe stream (KIP-848), kept by the broker that serves the
 * stream: it heartbeats to the group's coordinator on the stream's behalf, applies the assignment the coordinator
 * answers to the {@link Subscription}, and commits the offsets the client sends on the stream.
 *
 * <p>The stream gives up a revoked partition at once (its records not yet sent are not sent) and reports it in
 * its next heartbeat, so the coordinator can give it to another member without waiting for a rebalance listener
 * as a Java consumer's; the client learns each change from a {@link GroupAssignment} on the stream. A newly
 * assigned partition starts at the group's committed offset, or at the stream's start position when there is
 * none. After FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID (the coordinator dropped the member: a session timeout, a
 * coordinator failover) the stream gives up every partition and joins again. The member leaves when the stream
 * ends.
 *
 * <p>Thread-safe: state is guarded by this object's lock, which is taken before the subscription's and never
 * while the subscription holds its own ({@link #stop} takes no lock); calls to the coordinator are made outside
 * it.
 */
final class StreamMember {

    /** Wait before trying the coordinator again after a failed or retriable call. */
    static final long RETRY_MS = 500;

    /**
     * The rebalance timeout the member sends: Kafka's {@code max.poll.interval.ms} default, the Java consumer's.
     * The stream revokes without waiting for its client, so it never uses much of it.
     */
    static final int REBALANCE_TIMEOUT_MS = 300_000;

    /** Member epochs with a meaning of their own in a heartbeat. */
    private static final int JOIN_EPOCH = 0;

    private static final int LEAVE_EPOCH = -1;

    private static final Logger log = LoggerFactory.getLogger(StreamMember.class);

    private final String groupId;
    private final String topic;
    private final String clientId;
    /** Chosen here, as Kafka 4's consumers choose theirs. */
    private final String memberId = UUID.randomUUID().toString();

    private final Subscription subscription;
    private final Coordinator coordinator;
    private final ScheduledExecutorService timer;
    private final long commitTimeoutMillis;

    /** Written under the lock; read by {@link #stop} without it. */
    private volatile int epoch = JOIN_EPOCH;

    private volatile boolean stopped;
    /** The next heartbeat's timer, replaced under the lock; cancelled by {@link #stop} without it. */
    private volatile ScheduledFuture<?> nextHeartbeat;

    /** The partitions the subscription delivers. Guarded by this. */
    private final Set<Integer> owned = new TreeSet<>();
    /** Assigned partitions whose committed offsets are being fetched. Guarded by this. */
    private final Set<Integer> starting = new HashSet<>();
    /** The coordinator's latest assignment of the topic's partitions; null until the first. Guarded by this. */
    private Set<Integer> target;

    private boolean heartbeatInFlight;
    /** Owned partitions changed while a heartbeat was in flight: the next one goes as soon as it is answered. */
    private boolean heartbeatSoon;

    private long intervalMillis = 1_000;

    /** @param commitTimeoutMillis how long a commit keeps trying a coordinator that is moving or unavailable */
    StreamMember(
            String groupId,
            String topic,
            String clientId,
            Subscription subscription,
            Coordinator coordinator,
            ScheduledExecutorService timer,
            long commitTimeoutMillis) {
        this.groupId = groupId;
        this.topic = topic;
        this.clientId = clientId;
        this.subscription = subscription;
        this.coordinator = coordinator;
        this.timer = timer;
        this.commitTimeoutMillis = commitTimeoutMillis;
    }

    /** Joins the group; the subscription stops the member when it ends. */
    void start() {
        subscription.whenEnded(this::stop);
        heartbeat();
    }

    /** The stream ended: no more heartbeats, and the member leaves the group (without waiting for the answer). */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        ScheduledFuture<?> next = nextHeartbeat;
        if (next != null) {
            next.cancel(false);
        }
        if (epoch > JOIN_EPOCH) {
            leave();
        }
    }

    /** Leaves the group, without waiting for the answer: a member that could not leave expires. */
    private void leave() {
        coordinator
                .heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                        .setGroupId(groupId)
                        .setMemberId(memberId)
                        .setMemberEpoch(LEAVE_EPOCH)
                        .build())
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        log.debug("Member {} of group {} could not leave; it expires", memberId, groupId, failure);
                    }
                });
    }

    private void heartbeat() {
        ConsumerGroupHeartbeatRequest request;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (heartbeatInFlight) {
                heartbeatSoon = true;
                return;
            }
            heartbeatInFlight = true;
            request = ConsumerGroupHeartbeatRequest.newBuilder()
                    .setGroupId(groupId)
                    .setMemberId(memberId)
                    .setMemberEpoch(epoch)
                    .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS)
                    .setClientId(clientId)
                    .setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                            .addNames(topic))
                    .setOwnedTopicPartitions(ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder()
                            .addTopics(PartitionsByTopic.newBuilder()
                                    .setTopic(topic)
                                    .addAllPartitions(owned)))
                    .build();
        }
        coordinator
                .heartbeat(request)
                .whenComplete((answer, failure) -> heartbeatAnswered(request.getMemberEpoch(), answer, failure));
    }

    private void heartbeatAnswered(int sentEpoch, ConsumerGroupHeartbeatResponse answer, Throwable failure) {
        Reconciled reconciled = Reconciled.NOTHING;
        synchronized (this) {
            heartbeatInFlight = false;
            if (stopped) {
                if (sentEpoch == JOIN_EPOCH
                        && failure == null
                        && answer.getError().getCode() == ErrorCode.NONE) {
                    leave(); // the stream ended while it joined: not a member to wait a session timeout for
                }
                return;
            }
            ErrorCode code = failure == null ? answer.getError().getCode() : codeOf(failure);
            long delay;
            if (code == ErrorCode.NONE) {
                boolean joined = epoch == JOIN_EPOCH;
                epoch = answer.getMemberEpoch();
                intervalMillis = Math.max(1, answer.getHeartbeatIntervalMs());
                if (joined) {
                    announce();
                }
                if (answer.hasAssignment()) {
                    target = partitionsOf(answer.getAssignment().getTopicsList());
                    reconciled = reconcileLocked();
                }
                // A revocation is reported at once: the coordinator waits for it to give the partitions away.
                delay = heartbeatSoon || reconciled.revoked() ? 0 : intervalMillis;
            } else if (code == ErrorCode.FENCED_MEMBER_EPOCH || code == ErrorCode.UNKNOWN_MEMBER_ID) {
                log.info(
                        "Member {} of group {} was fenced ({}); it gives up its partitions and joins again",
                        memberId,
                        groupId,
                        code);
                epoch = JOIN_EPOCH;
                target = Set.of();
                // Given up before the join heartbeat is built, so that it owns nothing.
                reconcileLocked();
                delay = 0;
            } else if (RecordErrors.retriable(code)) {
                log.debug("Heartbeat of member {} of group {} failed ({}); retrying", memberId, groupId, code, failure);
                delay = RETRY_MS;
            } else {
                subscription.fail(RecordErrors.error(
                        code,
                        "group '" + groupId + "': "
                                + (failure == null ? answer.getError().getMessage() : failure),
                        null));
                return;
            }
            heartbeatSoon = false;
            schedule(delay);
        }
        start(reconciled.added());
    }

    /**
     * Brings what the subscription delivers to the latest assignment: stops the revoked partitions at once and
     * starts the new ones once their committed offsets are known.
     */
    private void reconcile() {
        Reconciled reconciled;
        synchronized (this) {
            if (stopped) {
                return;
            }
            reconciled = reconcileLocked();
            if (reconciled.revoked()) {
                heartbeatNowLocked();
            }
        }
        start(reconciled.added());
    }

    /** What a reconciliation did: partitions revoked, and the assigned ones left to {@link #start}. */
    private record Reconciled(Set<Integer> added, boolean revoked) {
        static final Reconciled NOTHING = new Reconciled(Set.of(), false);
    }

    /**
     * Stops the revoked partitions; the caller reports them in a heartbeat. Guarded by this.
     */
    private Reconciled reconcileLocked() {
        if (target == null) {
            return Reconciled.NOTHING;
        }
        Set<Integer> revoked = new TreeSet<>(owned);
        revoked.removeAll(target);
        starting.retainAll(target);
        Set<Integer> added = new TreeSet<>(target);
        added.removeAll(owned);
        added.removeAll(starting);
        starting.addAll(added);
        if (!revoked.isEmpty()) {
            owned.removeAll(revoked);
            subscription.revoke(partitions(revoked));
            announce();
        }
        return new Reconciled(added, !revoked.isEmpty());
    }

    /** Fetches the group's committed offsets of {@code added}, then delivers them from there. */
    private void start(Set<Integer> added) {
        if (added.isEmpty()) {
            return;
        }
        OffsetFetchRequest request = OffsetFetchRequest.newBuilder()
                .setGroupId(groupId)
                .addTopics(PartitionsByTopic.newBuilder().setTopic(topic).addAllPartitions(added))
                .build();
        coordinator.committed(request).whenComplete((answer, failure) -> started(added, answer, failure));
    }

    private void started(Set<Integer> added, OffsetFetchResponse answer, Throwable failure) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            ErrorCode code = failure == null ? answer.getError().getCode() : codeOf(failure);
            Map<Integer, Long> committed = new HashMap<>();
            if (code == ErrorCode.NONE) {
                answer.getTopicsList().stream()
                        .filter(t -> t.getTopic().equals(topic))
                        .flatMap(t -> t.getPartitionsList().stream())
                        .filter(p -> p.getError().getCode() == ErrorCode.NONE)
                        .forEach(p -> committed.put(p.getPartition(), p.getCommittedOffset()));
            } else if (!RecordErrors.retriable(code)) {
                subscription.fail(RecordErrors.error(
                        code,
                        "group '" + groupId + "': fetching committed offsets failed: "
                                + (failure == null ? answer.getError().getMessage() : failure),
                        null));
                return;
            }
            Map<TopicPartition, Long> starts = new LinkedHashMap<>();
            for (int p : added) {
                // Revoked meanwhile (no longer starting), or its offset is unknown: the next reconcile retries it.
                if (starting.remove(p) && committed.containsKey(p)) {
                    starts.put(new TopicPartition(topic, p), committed.get(p));
                    owned.add(p);
                }
            }
            if (starts.size() < added.size()) {
                timer.schedule(this::reconcile, RETRY_MS, TimeUnit.MILLISECONDS);
            }
            if (!starts.isEmpty()) {
                subscription.assign(starts);
                announce();
                heartbeatNowLocked();
            }
        }
        subscription.pump();
    }

    /**
     * Commits the client's offsets as this member and hands the answer, one result per offset in the request's
     * order, to {@code answered} (on any thread). Offsets of partitions the stream does not deliver are refused
     * here: the group may have given them to another member.
     */
    void commit(SubscribeCommit request, IntPredicate partitionExists, Consumer<CommitResult> answered) {
        Map<Integer, RecordError> refused = new HashMap<>();
        OffsetCommitRequest.Topic.Builder offsets =
                OffsetCommitRequest.Topic.newBuilder().setTopic(topic);
        Set<Integer> named = new HashSet<>();
        synchronized (this) {
            for (int i = 0; i < request.getOffsetsCount(); i++) {
                CommitOffset o = request.getOffsets(i);
                String field = "offsets[" + i + "]";
                RecordError error = null;
                if (!named.add(o.getPartition())) {
                    error = invalid(field + ".partition " + o.getPartition() + " is named more than once");
                } else if (!partitionExists.test(o.getPartition())) {
                    error = RecordErrors.error(
                            ErrorCode.UNKNOWN_PARTITION,
                            field + ".partition: topic '" + topic + "' has no partition " + o.getPartition(),
                            null);
                } else if (o.getOffset() < 0) {
                    error = invalid(field + ".offset is " + o.getOffset() + "; it must be 0 or more");
                } else if (!owned.contains(o.getPartition())) {
                    error = RecordErrors.error(
                            ErrorCode.STALE_MEMBER_EPOCH,
                            "partition " + o.getPartition() + " is not assigned to this stream (now " + owned
                                    + "); the group may have given it to another member",
                            null);
                }
                if (error == null) {
                    offsets.addPartitions(OffsetCommitRequest.Partition.newBuilder()
                            .setPartition(o.getPartition())
                            .setCommittedOffset(o.getOffset())
                            .setCommittedLeaderEpoch(-1)
                            .setCommittedMetadata(o.getMetadata()));
                } else {
                    refused.putIfAbsent(i, error);
                }
            }
        }
        if (offsets.getPartitionsCount() == 0) {
            answered.accept(result(request, refused, Map.of()));
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitTimeoutMillis);
        commitAttempt(offsets.build(), deadline, outcome -> answered.accept(result(request, refused, outcome)));
    }

    /**
     * One try; a coordinator that moved or is loading, or an epoch that changed under the commit, is tried again
     * with the member's current epoch until {@code deadlineNanos}.
     */
    private void commitAttempt(
            OffsetCommitRequest.Topic offsets, long deadlineNanos, Consumer<Map<Integer, RecordError>> outcome) {
        OffsetCommitRequest request = OffsetCommitRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .addTopics(offsets)
                .build();
        coordinator.commit(request).whenComplete((answer, failure) -> {
            ErrorCode code = failure == null ? answer.getError().getCode() : codeOf(failure);
            Map<Integer, RecordError> errors = new HashMap<>();
            if (code == ErrorCode.NONE) {
                for (PartitionErrorsByTopic t : answer.getTopicsList()) {
                    for (PartitionErrorsByTopic.PartitionError p : t.getPartitionsList()) {
                        if (p.getError().getCode() != ErrorCode.NONE) {
                            errors.put(
                                    p.getPartition(),
                                    RecordErrors.error(
                                            p.getError().getCode(), p.getError().getMessage(), null));
                        }
                    }
                }
            }
            boolean again = code != ErrorCode.NONE
                    ? RecordErrors.retriable(code)
                    : errors.values().stream().allMatch(e -> e.getCode() == ErrorCode.STALE_MEMBER_EPOCH)
                            && !errors.isEmpty();
            if (again && !stopped && System.nanoTime() - deadlineNanos < 0) {
                timer.schedule(() -> commitAttempt(offsets, deadlineNanos, outcome), RETRY_MS, TimeUnit.MILLISECONDS);
                return;
            }
            if (code != ErrorCode.NONE) {
                RecordError whole = RecordErrors.error(
                        code,
                        "group '" + groupId + "': "
                                + (failure == null ? answer.getError().getMessage() : failure),
                        null);
                offsets.getPartitionsList().forEach(p -> errors.put(p.getPartition(), whole));
            }
            outcome.accept(errors);
        });
    }

    private static CommitResult result(
            SubscribeCommit request, Map<Integer, RecordError> refused, Map<Integer, RecordError> byPartition) {
        CommitResult.Builder result = CommitResult.newBuilder().setCommitId(request.getCommitId());
        for (int i = 0; i < request.getOffsetsCount(); i++) {
            int partition = request.getOffsets(i).getPartition();
            CommitPartitionResult.Builder r = CommitPartitionResult.newBuilder().setPartition(partition);
            RecordError error = refused.containsKey(i) ? refused.get(i) : byPartition.get(partition);
            if (error != null) {
                r.setError(error);
            }
            result.addPartitions(r);
        }
        return result.build();
    }

    /** Tells the client what the stream delivers now. Guarded by this, so announcements go out in order. */
    private void announce() {
        subscription.send(SubscribeResponse.newBuilder()
                .setAssignment(GroupAssignment.newBuilder()
                        .setMemberId(memberId)
                        .setMemberEpoch(epoch)
                        .addAllPartitions(owned))
                .build());
    }

    /** Reports a change of the owned partitions now, or once the heartbeat in flight is answered. */
    private void heartbeatNowLocked() {
        if (heartbeatInFlight) {
            heartbeatSoon = true;
        } else {
            schedule(0);
        }
    }

    /** Guarded by this. */
    private void schedule(long delayMillis) {
        ScheduledFuture<?> previous = nextHeartbeat;
        if (previous != null) {
            previous.cancel(false);
        }
        nextHeartbeat = timer.schedule(this::heartbeat, delayMillis, TimeUnit.MILLISECONDS);
        if (stopped) {
            nextHeartbeat.cancel(false);
        }
    }

    private Set<Integer> partitionsOf(List<PartitionsByTopic> topics) {
        Set<Integer> partitions = new TreeSet<>();
        topics.stream().filter(t -> t.getTopic().equals(topic)).forEach(t -> partitions.addAll(t.getPartitionsList()));
        return partitions;
    }

    private Set<TopicPartition> partitions(Set<Integer> numbers) {
        Set<TopicPartition> partitions = new HashSet<>();
        numbers.forEach(p -> partitions.add(new TopicPartition(topic, p)));
        return partitions;
    }

    /**
     * A failed call as an error code: the coordinator not found, or a call that did not get through (retriable,
     * as the coordinator may be moving), or one the coordinator's broker refused outright.
     */
    private static ErrorCode codeOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause instanceof SubscribeRefusal refusal) {
            return refusal.error().getCode();
        }
        if (cause instanceof PeerCallException call
                && (call.code() == Status.Code.UNAVAILABLE || call.code() == Status.Code.DEADLINE_EXCEEDED)) {
            return ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }

    private static RecordError invalid(String message) {
        return RecordErrors.error(ErrorCode.INVALID_REQUEST, message, null);
    }
}
