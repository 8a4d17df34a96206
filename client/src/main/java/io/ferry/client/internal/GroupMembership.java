package io.ferry.client.internal;

import io.ferry.client.FerryInterruptedException;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.ErrorCode;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's membership in its group (KIP-848), as a state machine with no I/O: what the next
 * ConsumerGroupHeartbeat says, what an answer changes, and what the application's thread has to do to
 * catch up with the coordinator's assignment. The heartbeat thread sends what {@link #request} builds
 * and feeds the answer to {@link #onResponse}; the application's thread asks {@link #reconciliation},
 * runs the rebalance listener and reports with {@link #owned}.
 *
 * <p>The coordinator only gives a partition to a member once its previous owner stopped listing it, so
 * revoking and assigning are applied together: the member stops owning what the assignment no longer
 * holds (after committing it) and starts on what is new. After FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID
 * the member has lost its partitions; it sends nothing until the application gave them up, then rejoins
 * with epoch 0.
 *
 * <p>Thread-safe: every method holds this object's monitor, shared by the two threads; the heartbeat
 * thread waits on it for the next heartbeat time ({@link #awaitHeartbeat}).
 */
public final class GroupMembership {

    /** Member epochs with a meaning of their own in a heartbeat. */
    static final int JOIN_EPOCH = 0;

    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;

    public enum State {
        /** Not subscribed: no heartbeats. */
        UNSUBSCRIBED,
        /** Sending epoch 0 until the coordinator answers with an epoch. */
        JOINING,
        /** A member; the application may still have an assignment to apply. */
        STABLE,
        /** Fenced, or out of the group for lack of polls: the application must give up its partitions. */
        LOST,
        /** The leave heartbeat is due; then unsubscribed. */
        LEAVING
    }

    /** What the application's thread applies: partitions to give up (revoked or lost) and to start on. */
    public record Reconciliation(Set<TopicPartition> revoked, Set<TopicPartition> assigned, boolean lost) {
        public boolean isEmpty() {
            return revoked.isEmpty() && assigned.isEmpty();
        }
    }

    private final String groupId;
    private final String memberId = UUID.randomUUID().toString();
    private final Optional<String> instanceId;
    private final String clientId;
    private final int rebalanceTimeoutMs;

    private State state = State.UNSUBSCRIBED;
    private int epoch = JOIN_EPOCH;
    private Set<String> topics = Set.of();
    private String regex;
    /** The next heartbeat carries the subscription (a join, or the subscription changed). */
    private boolean sendSubscription;
    /** The next heartbeat carries the owned partitions (a join, or the application applied a change). */
    private boolean sendOwned;
    /** What the application owns now, as it reported. */
    private Set<TopicPartition> owned = Set.of();
    /** The owned set the heartbeat in flight carries: its answer confirms that one, not a newer one. */
    private Set<TopicPartition> ownedSent;
    /** The coordinator's latest assignment, until the application has applied it. */
    private Set<TopicPartition> target;

    private long intervalNanos = TimeUnit.SECONDS.toNanos(1);
    private long nextHeartbeatNanos;

    public GroupMembership(String groupId, Optional<String> instanceId, String clientId, int rebalanceTimeoutMs) {
        this.groupId = groupId;
        this.instanceId = instanceId;
        this.clientId = clientId;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    }

    public String groupId() {
        return groupId;
    }

    public synchronized State state() {
        return state;
    }

    /** Who a commit comes from: a member at its epoch, or ({@code ""}, -1) from outside the group. */
    public record Committer(String memberId, int epoch) {}

    /**
     * The member id and epoch an offset commit carries: this member's while it is in the group, and none
     * (a commit from outside the group, as Kafka's for a consumer that assigns itself partitions) while it
     * is not subscribed.
     */
    public synchronized Committer committer() {
        return state == State.UNSUBSCRIBED ? new Committer("", -1) : new Committer(memberId, epoch);
    }

    /** Subscribes by names, or by a regular expression when {@code regex} is not null; joins if not in the group. */
    public synchronized void subscribe(Set<String> topics, String regex) {
        this.topics = Set.copyOf(topics);
        this.regex = regex;
        sendSubscription = true;
        if (state == State.UNSUBSCRIBED || state == State.LEAVING) {
            join();
        }
        heartbeatNow();
    }

    /** Leaves the group with the next heartbeat; the application gave up its partitions first. */
    public synchronized void leave() {
        if (state != State.UNSUBSCRIBED) {
            state = State.LEAVING;
            target = null;
            heartbeatNow();
        }
    }

    /**
     * The application has not polled within {@code max.poll.interval.ms}: leave the group so others get
     * its partitions; the next poll finds them lost and rejoins.
     */
    public synchronized void pollTimerExpired() {
        if (state == State.JOINING || state == State.STABLE) {
            state = State.LOST;
            epoch = instanceId.isPresent() ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
            target = null;
            heartbeatNow();
        }
    }

    /** The next heartbeat, or empty when none is to be sent (unsubscribed, or waiting for the application). */
    public synchronized Optional<ConsumerGroupHeartbeatRequest> request() {
        if (state == State.UNSUBSCRIBED || state == State.LOST && epoch >= 0) {
            return Optional.empty();
        }
        ConsumerGroupHeartbeatRequest.Builder b = ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(leaving() ? leaveEpoch() : epoch)
                .setRebalanceTimeoutMs(-1)
                .setClientId(clientId);
        instanceId.ifPresent(b::setInstanceId);
        if (leaving()) {
            return Optional.of(b.build());
        }
        if (sendSubscription) {
            b.setRebalanceTimeoutMs(rebalanceTimeoutMs);
            if (regex != null) {
                b.setSubscribedTopicRegex(regex);
            } else {
                b.setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                        .addAllNames(new TreeSet<>(topics)));
            }
        }
        if (sendOwned) {
            addOwned(b);
        }
        return Optional.of(b.build());
    }

    /**
     * The heartbeat {@code first} as attempt {@code attempt} (0 for the first) sends it. A heartbeat sent
     * again got no answer the first time, maybe because its coordinator died: the coordinator it reaches
     * now may have moved this member to a new epoch in the lost answer, and accepts the previous epoch only
     * with owned partitions it can check against the new assignment (it fences the member otherwise). So a
     * heartbeat sent again carries the owned partitions, as Kafka's client sends a full heartbeat after a
     * failure. A leave goes as it is.
     */
    public synchronized ConsumerGroupHeartbeatRequest attempt(ConsumerGroupHeartbeatRequest first, int attempt) {
        if (attempt == 0 || first.getMemberEpoch() < 0) {
            return first;
        }
        ConsumerGroupHeartbeatRequest.Builder b = first.toBuilder();
        addOwned(b);
        return b.build();
    }

    private void addOwned(ConsumerGroupHeartbeatRequest.Builder b) {
        ownedSent = owned;
        b.setOwnedTopicPartitions(ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder()
                .addAllTopics(PartitionsByTopics.of(owned)));
    }

    private boolean leaving() {
        return state == State.LEAVING || state == State.LOST;
    }

    private int leaveEpoch() {
        return instanceId.isPresent() ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
    }

    /**
     * Applies the coordinator's answer to {@code sent}. Returns whether the application's thread has
     * something to do (an assignment to apply or partitions lost).
     */
    public synchronized boolean onResponse(
            ConsumerGroupHeartbeatRequest sent, ConsumerGroupHeartbeatResponse response) {
        ErrorCode code = response.getError().getCode();
        if (sent.getMemberEpoch() < 0) {
            // The leave is done whatever the answer: a member the coordinator does not know has left too.
            if (state == State.LEAVING) {
                state = State.UNSUBSCRIBED;
            } else if (state == State.LOST) {
                epoch = JOIN_EPOCH;
            }
            return false;
        }
        if (code == ErrorCode.FENCED_MEMBER_EPOCH || code == ErrorCode.UNKNOWN_MEMBER_ID) {
            return fenced();
        }
        if (code != ErrorCode.NONE || state != State.JOINING && state != State.STABLE) {
            return false;
        }
        state = State.STABLE;
        epoch = response.getMemberEpoch();
        intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, response.getHeartbeatIntervalMs()));
        if (sent.hasSubscribedTopicNames() || sent.hasSubscribedTopicRegex()) {
            sendSubscription = false;
        }
        if (sent.hasOwnedTopicPartitions() && ownedSent == owned) {
            sendOwned = false;
        }
        if (response.hasAssignment()) {
            Set<TopicPartition> next = new HashSet<>();
            response.getAssignment()
                    .getTopicsList()
                    .forEach(t -> t.getPartitionsList().forEach(p -> next.add(new TopicPartition(t.getTopic(), p))));
            target = next.equals(owned) ? null : Set.copyOf(next);
            notifyAll();
        }
        return target != null;
    }

    /** The member is no longer in the group: its partitions are lost, and it rejoins once they are given up. */
    synchronized boolean fenced() {
        if (state == State.UNSUBSCRIBED || state == State.LEAVING) {
            return false;
        }
        state = State.LOST;
        epoch = JOIN_EPOCH;
        target = null;
        notifyAll();
        return true;
    }

    /** Waits until the application has something to apply, or until {@code deadlineNanos} ({@link System#nanoTime()}). */
    public synchronized void awaitReconciliation(long deadlineNanos) {
        try {
            while (target == null && state != State.LOST) {
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryInterruptedException("interrupted while waiting for the group's assignment", e);
        }
    }

    /** What the application's thread must apply now; empty when it is in step with the coordinator. */
    public synchronized Reconciliation reconciliation() {
        if (state == State.LOST) {
            return new Reconciliation(owned, Set.of(), true);
        }
        if (target == null) {
            return new Reconciliation(Set.of(), Set.of(), false);
        }
        Set<TopicPartition> revoked = new HashSet<>(owned);
        revoked.removeAll(target);
        Set<TopicPartition> assigned = new HashSet<>(target);
        assigned.removeAll(owned);
        return new Reconciliation(Set.copyOf(revoked), Set.copyOf(assigned), false);
    }

    /**
     * The application applied {@code done}: it owns {@code nowOwned}. The heartbeat goes at once so the
     * coordinator can hand revoked partitions to others. After a loss, this rejoins with epoch 0.
     */
    public synchronized void owned(Reconciliation done, Set<TopicPartition> nowOwned) {
        owned = Set.copyOf(nowOwned);
        if (done.lost()) {
            if (state == State.LOST) {
                join();
            }
        } else if (owned.equals(target)) {
            target = null;
        }
        sendOwned = true;
        heartbeatNow();
    }

    private void join() {
        state = State.JOINING;
        epoch = JOIN_EPOCH;
        sendSubscription = true;
        sendOwned = true;
    }

    /**
     * Waits until a heartbeat is due (the interval passed, or something asked for one at once) or
     * {@code maxWaitNanos} passed, then schedules the next one an interval later.
     */
    public synchronized void awaitHeartbeat(long maxWaitNanos) throws InterruptedException {
        long until = System.nanoTime() + maxWaitNanos;
        while (true) {
            long now = System.nanoTime();
            long wait = Math.min(until, nextHeartbeatNanos) - now;
            if (wait <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, wait);
        }
        nextHeartbeatNanos = System.nanoTime() + intervalNanos;
    }

    /**
     * A heartbeat got no answer in all its attempts: heartbeats again after {@code backoffNanos}, not a whole
     * interval later, carrying the owned partitions for the reason {@link #attempt} gives.
     */
    public synchronized void heartbeatFailed(long backoffNanos) {
        sendOwned = true;
        nextHeartbeatNanos = System.nanoTime() + backoffNanos;
    }

    private void heartbeatNow() {
        nextHeartbeatNanos = System.nanoTime();
        notifyAll();
    }

    /**
     * Ends {@link #awaitHeartbeat} at once (closing), however far off the next heartbeat is: a consumer's
     * close waits for the heartbeat thread before it sends the leave, and the other members get its
     * partitions only after that.
     */
    public synchronized void wake() {
        heartbeatNow();
    }
}
