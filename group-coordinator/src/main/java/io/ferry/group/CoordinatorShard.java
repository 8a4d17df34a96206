package io.ferry.group;

import io.ferry.group.internal.ClassicRebalance;
import io.ferry.group.internal.GroupChanges;
import io.ferry.group.internal.GroupMetadata;
import io.ferry.group.internal.HeartbeatChecks;
import io.ferry.group.internal.MemberConnections;
import io.ferry.group.internal.MemberExpiry;
import io.ferry.group.internal.MemberTimers;
import io.ferry.group.internal.OffsetCommitChecks;
import io.ferry.group.internal.OffsetRetention;
import io.ferry.group.internal.Reconciliation;
import io.ferry.group.internal.RecordKey;
import io.ferry.group.internal.RecordType;
import io.ferry.group.internal.RecordValues;
import io.ferry.group.internal.StoredGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One {@code __consumer_offsets} partition's consumer groups and committed offsets, as Kafka's
 * {@code GroupCoordinatorShard}: the state its records build, and the operations on it.
 *
 * <p>Decide purely, then apply: an operation changes no persistent state. It returns a {@link Write}, the
 * records that would make its change and the answer; the runtime appends the records, replays each
 * ({@link #replay}, the only way state changes), and sends the answer once they are committed. A leader that
 * loads the partition replays every record, then calls {@link #loaded}. The one exception is timers (members'
 * session and revocation deadlines, and the connection each member's latest heartbeat came on), which are not
 * persisted: operations set them as they decide.
 *
 * <p>Not thread-safe: the runtime calls it from one thread. Times are milliseconds of the caller's clock.
 */
public final class CoordinatorShard {

    private final GroupConfig config;
    private final OffsetConfig offsetConfig;
    private final GroupCoordinator coordinator;
    /** Group id to its consumer group records; sorted, so that listings and writes come in a stable order. */
    private final SortedMap<String, StoredGroup> groups = new TreeMap<>();
    /** Group id to its committed offsets. A group may have offsets and no consumer group record. */
    private final SortedMap<String, SortedMap<TopicPartition, OffsetAndMetadata>> offsets = new TreeMap<>();

    private final MemberTimers timers = new MemberTimers();
    private final MemberConnections connections = new MemberConnections();
    /** Members heartbeats removed since the last {@link #expire}, which reports them. */
    private final List<ExpiredMember> expiredByHeartbeats = new ArrayList<>();

    public CoordinatorShard(GroupConfig config, OffsetConfig offsets) {
        this.config = Objects.requireNonNull(config, "config");
        this.offsetConfig = Objects.requireNonNull(offsets, "offsets");
        this.coordinator = new GroupCoordinator(config);
    }

    /**
     * Applies one record read from the log, or one the runtime just appended. A record sets (a tombstone
     * removes) the one piece of state its key names, so the state after a sequence of records depends only on
     * the last record of each key: a compacted log loads to the same state as the whole one.
     *
     * @throws MalformedGroupRecordException naming what is wrong (unknown key type or value version, truncated
     *     bytes, a field out of range); the state is then unchanged
     */
    public void replay(GroupRecord record) {
        RecordKey key = RecordKey.decode(record.key());
        if (key.type() == RecordType.OFFSET_COMMIT) {
            replayOffset(key, record.value());
            return;
        }
        StoredGroup group = groups.getOrDefault(key.groupId(), new StoredGroup());
        group.replay(key, record.value());
        if (group.isGone()) {
            groups.remove(key.groupId());
        } else {
            groups.put(key.groupId(), group);
        }
    }

    private void replayOffset(RecordKey key, byte[] value) {
        if (value != null) {
            OffsetAndMetadata offset = RecordValues.decodeOffsetCommit(value);
            offsets.computeIfAbsent(key.groupId(), id -> new TreeMap<>()).put(key.partition(), offset);
            return;
        }
        SortedMap<TopicPartition, OffsetAndMetadata> ofGroup = offsets.get(key.groupId());
        if (ofGroup != null) {
            ofGroup.remove(key.partition());
            if (ofGroup.isEmpty()) {
                offsets.remove(key.groupId());
            }
        }
    }

    /**
     * After a load (every record replayed): starts every member's session timer at {@code nowMs} (a classic
     * member's own session timeout, else the group's) and the revocation timer of each member still revoking at
     * {@code nowMs} plus its rebalance timeout.
     */
    public void loaded(long nowMs) {
        groups.forEach((id, stored) -> timers.start(stored.group(id), config.sessionTimeoutMs(), nowMs));
    }

    /**
     * A ConsumerGroupHeartbeat ({@link GroupCoordinator#heartbeat}). The records are the difference between the
     * group before and after; a heartbeat that changes nothing persistent writes none, but still refreshes the
     * member's session. A refused heartbeat writes only the removal of members whose time ran out. A classic
     * member that heartbeats this way has moved to KIP-848, as in Kafka: its session becomes the group's.
     *
     * @param connection the connection the heartbeat came on, any object equal only to itself: an accepted
     *     heartbeat of a dynamic member makes it the member's connection, whose end {@link #connectionEnded}
     *     reports
     */
    public Write<HeartbeatResponse> heartbeat(
            HeartbeatRequest request, Object connection, TopicsImage topics, long nowMs) {
        // The group id picks the group, so it is checked before that (the coordinator checks it again).
        Optional<String> problem = HeartbeatChecks.problem(request);
        if (problem.isPresent()) {
            return Write.answer(HeartbeatResponse.failure(request, GroupError.INVALID_REQUEST, problem.get()));
        }
        ConsumerGroup before = groupOrEmpty(request.groupId());
        HeartbeatResult result = coordinator.heartbeat(timers.withTimers(before), request, topics, nowMs);
        return decided(
                before, request, speaking(result, request.memberId(), OptionalInt.empty(), nowMs), connection, nowMs);
    }

    /**
     * A classic member's JoinGroup, as a heartbeat (Kafka's classic members of a consumer group): a member the
     * group has continues at its epoch, reporting what it owns (an eager client nothing, a cooperative one what
     * it kept), so that it gives up what it must and moves on; any other joins, owning nothing. A JoinGroup
     * with the group.instance.id of a member that has not left replaces that member, as the classic protocol
     * lets a restarted static member do: the old one leaves for now and the new one takes over its partitions.
     * The answer's epoch is the member's generation and its assignment what it owns there. The member is
     * recorded as classic, with the session timeout it asked for as its own.
     *
     * @param request the join as a full heartbeat: subscription, rebalance timeout and owned partitions; its
     *     epoch is not read
     * @param sessionTimeoutMs the JoinGroup's session timeout, positive; the caller bounds it
     *     ({@code group.min.session.timeout.ms}, {@code group.max.session.timeout.ms})
     */
    public Write<HeartbeatResponse> classicJoin(
            HeartbeatRequest request, int sessionTimeoutMs, Object connection, TopicsImage topics, long nowMs) {
        if (sessionTimeoutMs <= 0) {
            return Write.answer(HeartbeatResponse.failure(
                    request, GroupError.INVALID_REQUEST, "session timeout " + sessionTimeoutMs + " is not positive"));
        }
        ConsumerGroup before = groupOrEmpty(request.groupId());
        ConsumerGroup timed = timers.withTimers(before);
        Optional<GroupMember> member = timed.member(request.memberId()).filter(m -> m.memberEpoch() > 0);
        HeartbeatRequest join = member.isPresent()
                ? request.at(member.get().memberEpoch(), request.ownedTopicPartitions())
                : request.at(HeartbeatRequest.JOIN_EPOCH, List.of());
        Optional<String> problem = HeartbeatChecks.problem(join);
        if (problem.isPresent()) {
            return Write.answer(HeartbeatResponse.failure(join, GroupError.INVALID_REQUEST, problem.get()));
        }
        List<ExpiryResult.Removal> expired = new ArrayList<>();
        Optional<GroupMember> replaced = join.instanceId() == null
                ? Optional.empty()
                : timed.staticMember(join.instanceId())
                        .filter(m -> !m.memberId().equals(join.memberId())
                                && m.memberEpoch() != GroupMember.LEFT_STATIC_EPOCH);
        if (replaced.isPresent()) {
            HeartbeatResult left = coordinator.heartbeat(
                    timed,
                    new HeartbeatRequest(
                            join.groupId(),
                            replaced.get().memberId(),
                            HeartbeatRequest.LEAVE_STATIC_EPOCH,
                            join.instanceId(),
                            -1,
                            join.clientId(),
                            join.clientHost(),
                            null,
                            null,
                            null),
                    topics,
                    nowMs);
            timed = left.group();
            expired.addAll(left.expired());
        }
        HeartbeatResult joined = coordinator.heartbeat(timed, join, topics, nowMs);
        expired.addAll(joined.expired());
        return decided(
                before,
                join,
                speaking(
                        new HeartbeatResult(joined.group(), joined.response(), expired),
                        join.memberId(),
                        OptionalInt.of(sessionTimeoutMs),
                        nowMs),
                connection,
                nowMs);
    }

    /**
     * A classic LeaveGroup's member: named by its id, or by its group.instance.id alone (an admin removing a
     * static member; a member id sent beside it must be that member's, else FENCED_INSTANCE_ID). The member
     * leaves for good, a static one too. Only classic members leave this way, as in Kafka: any other is
     * UNKNOWN_MEMBER_ID.
     *
     * @param request the member to remove: group, member id (may be empty with an instance id), instance id,
     *     client id and host; the other fields are not read
     */
    public Write<HeartbeatResponse> classicLeave(
            HeartbeatRequest request, Object connection, TopicsImage topics, long nowMs) {
        ConsumerGroup before = groupOrEmpty(request.groupId());
        ConsumerGroup timed = timers.withTimers(before);
        Optional<GroupMember> found = request.instanceId() == null
                ? timed.member(request.memberId())
                : timed.staticMember(request.instanceId());
        if (found.isEmpty() || !found.get().isClassic()) {
            String why = found.isPresent()
                    ? "member " + found.get().memberId() + " does not use the classic protocol"
                    : request.instanceId() == null
                            ? "member " + request.memberId() + " is not in group " + request.groupId()
                            : "no member of group " + request.groupId() + " has instance id " + request.instanceId();
            return Write.answer(HeartbeatResponse.failure(request, GroupError.UNKNOWN_MEMBER_ID, why));
        }
        GroupMember member = found.get();
        if (request.instanceId() != null
                && !request.memberId().isEmpty()
                && !request.memberId().equals(member.memberId())) {
            return Write.answer(HeartbeatResponse.failure(
                    request,
                    GroupError.FENCED_INSTANCE_ID,
                    "instance id " + request.instanceId() + " is member " + member.memberId() + ", not "
                            + request.memberId()));
        }
        HeartbeatRequest leave = new HeartbeatRequest(
                request.groupId(),
                member.memberId(),
                HeartbeatRequest.LEAVE_EPOCH,
                member.instanceId().orElse(null),
                -1,
                request.clientId(),
                request.clientHost(),
                null,
                null,
                null);
        return decided(before, leave, coordinator.heartbeat(timed, leave, topics, nowMs), connection, nowMs);
    }

    /**
     * The heartbeat's result with its member, if it was accepted and is in the group, speaking the protocol
     * given: classic with its own session timeout, from {@code nowMs} (the coordinator set the group's), or
     * KIP-848 (empty).
     */
    private static HeartbeatResult speaking(
            HeartbeatResult result, String memberId, OptionalInt classicSessionTimeoutMs, long nowMs) {
        Optional<GroupMember> member = result.group().member(memberId).filter(m -> m.memberEpoch() >= 0);
        if (result.response().error() != GroupError.NONE
                || member.isEmpty()
                || (classicSessionTimeoutMs.isEmpty() && !member.get().isClassic())) {
            return result;
        }
        GroupMember speaking = member.get().withClassicSessionTimeout(classicSessionTimeoutMs);
        if (classicSessionTimeoutMs.isPresent()) {
            speaking = speaking.withSessionDeadline(
                    Reconciliation.saturatedSum(nowMs, classicSessionTimeoutMs.getAsInt()));
        }
        return new HeartbeatResult(result.group().withMember(speaking), result.response(), result.expired());
    }

    /** Remembers what a heartbeat decided that is not persisted, and the records of its change. */
    private Write<HeartbeatResponse> decided(
            ConsumerGroup before, HeartbeatRequest request, HeartbeatResult result, Object connection, long nowMs) {
        // A refused heartbeat changes nothing itself, but the members it found expired are gone.
        timers.remember(result.group());
        result.expired()
                .forEach(r -> expiredByHeartbeats.add(new ExpiredMember(request.groupId(), r.memberId(), r.reason())));
        rememberConnection(request, result, connection);
        return new Write<>(changes(before, result.group(), nowMs), result.response());
    }

    /**
     * A classic member's SyncGroup (a member that is not classic is UNKNOWN_MEMBER_ID, as in Kafka): its
     * assignment at its generation, unless the group moved past that generation since it joined
     * ({@link ClassicRebalance#onSync}). Refreshes the member's session.
     */
    public ClassicMemberStatus classicSync(ClassicMember request, Object connection, long nowMs) {
        return classicStatus(request, connection, nowMs, ClassicRebalance::onSync);
    }

    /**
     * A classic member's Heartbeat: refreshes its session, and says whether it must rejoin
     * ({@link ClassicRebalance#onHeartbeat}: REBALANCE_IN_PROGRESS).
     *
     * @param topics the cluster's topics now, as a heartbeat of the group would see them
     */
    public ClassicMemberStatus classicHeartbeat(
            ClassicMember request, Object connection, TopicsImage topics, long nowMs) {
        return classicStatus(
                request, connection, nowMs, (group, member) -> ClassicRebalance.onHeartbeat(group, member, topics));
    }

    private ClassicMemberStatus classicStatus(
            ClassicMember request,
            Object connection,
            long nowMs,
            BiFunction<ConsumerGroup, GroupMember, Optional<String>> rejoin) {
        ConsumerGroup group = timers.withTimers(groupOrEmpty(request.groupId()));
        Optional<GroupMember> found =
                group.member(request.memberId()).filter(m -> m.memberEpoch() >= 0 && !MemberExpiry.expired(m, nowMs));
        if (found.isEmpty()) {
            return ClassicMemberStatus.refused(
                    GroupError.UNKNOWN_MEMBER_ID,
                    "member " + request.memberId() + " is not in group " + request.groupId());
        }
        if (!found.get().isClassic()) {
            return ClassicMemberStatus.refused(
                    GroupError.UNKNOWN_MEMBER_ID,
                    "member " + request.memberId() + " does not use the classic protocol");
        }
        GroupMember member = found.get();
        if (!member.instanceId().equals(Optional.ofNullable(request.instanceId()))) {
            return ClassicMemberStatus.refused(
                    GroupError.FENCED_INSTANCE_ID,
                    "member " + member.memberId() + " has instanceId "
                            + member.instanceId().orElse("(none)") + ", not "
                            + Optional.ofNullable(request.instanceId()).orElse("(none)"));
        }
        if (request.generation() != member.memberEpoch()) {
            return ClassicMemberStatus.refused(
                    GroupError.ILLEGAL_GENERATION,
                    "member " + member.memberId() + " sent generation " + request.generation() + " but is at "
                            + member.memberEpoch() + ": it must rejoin");
        }
        timers.refreshSession(
                request.groupId(),
                member.memberId(),
                Reconciliation.saturatedSum(nowMs, member.sessionTimeoutMs(config.sessionTimeoutMs())));
        if (config.hasDisconnectGrace() && member.instanceId().isEmpty()) {
            connections.heardOn(
                    new MemberConnections.Member(request.groupId(), member.memberId()),
                    Objects.requireNonNull(connection, "connection"));
        }
        return rejoin.apply(group, member)
                .map(reason -> ClassicMemberStatus.refused(GroupError.REBALANCE_IN_PROGRESS, reason))
                .orElseGet(() -> new ClassicMemberStatus(GroupError.NONE, "", member.assignedPartitions()));
    }

    /**
     * Tracks the connection of a dynamic member whose heartbeat was accepted (when the grace is on); forgets a
     * member that is gone. Static members are left out: their membership exists so that a restarting process
     * keeps its partitions for the whole session timeout.
     */
    private void rememberConnection(HeartbeatRequest request, HeartbeatResult result, Object connection) {
        MemberConnections.Member key = new MemberConnections.Member(request.groupId(), request.memberId());
        Optional<GroupMember> member = result.group().member(request.memberId());
        if (member.isEmpty()) {
            connections.forget(key);
        } else if (config.hasDisconnectGrace()
                && result.response().error() == GroupError.NONE
                && member.get().instanceId().isEmpty()
                && member.get().memberEpoch() >= 0) {
            connections.heardOn(key, Objects.requireNonNull(connection, "connection"));
        }
    }

    /**
     * A connection ended: each dynamic member whose latest accepted heartbeat came on it, and that is still in
     * its group, now has at most {@link GroupConfig#disconnectGraceMs} from {@code nowMs} before its session
     * ends; a heartbeat on any connection before then sets the whole session timeout again. A process that
     * died has its connections closed by its kernel, so its partitions move after the grace rather than after
     * the session timeout; a live client whose connection broke reconnects on its next heartbeat. The expiry
     * that follows is the session timeout's own ({@link #expire}). Writes nothing: deadlines are timers.
     *
     * @return group id to the ids of the members whose session was shortened; empty when none was
     */
    public SortedMap<String, SortedSet<String>> connectionEnded(Object connection, long nowMs) {
        SortedMap<String, SortedSet<String>> shortened = new TreeMap<>();
        for (MemberConnections.Member m : connections.ended(connection)) {
            Optional<GroupMember> member = group(m.groupId()).flatMap(g -> g.member(m.memberId()));
            if (member.isPresent() && member.get().memberEpoch() >= 0) {
                timers.shortenSession(m.groupId(), m.memberId(), nowMs, config.disconnectGraceMs());
                shortened.computeIfAbsent(m.groupId(), id -> new TreeSet<>()).add(m.memberId());
            }
        }
        return shortened;
    }

    /**
     * An OffsetCommit: per partition, {@link GroupError#NONE} and a record, or why not. Who may commit is
     * {@link GroupCoordinator#checkOffsetCommit}'s rule; then the fields are checked (negative offset:
     * INVALID_COMMIT_OFFSET_SIZE, metadata beyond offset.metadata.max.bytes: OFFSET_METADATA_TOO_LARGE, an
     * invalid topic name or partition: INVALID_REQUEST). Each offset is stored with {@code nowMs} as its commit
     * time.
     */
    public Write<Map<TopicPartition, GroupError>> commitOffsets(OffsetCommitRequest request, long nowMs) {
        SortedMap<TopicPartition, GroupError> errors = new TreeMap<>();
        if (!OffsetCommitChecks.validGroupId(request.groupId())) {
            request.offsets().keySet().forEach(tp -> errors.put(tp, GroupError.INVALID_GROUP_ID));
            return Write.answer(errors);
        }
        ConsumerGroup group = groupOrEmpty(request.groupId());
        List<GroupRecord> records = new ArrayList<>();
        request.offsets().forEach((tp, offset) -> {
            GroupError error = coordinator.checkOffsetCommit(group, request.memberId(), request.memberEpoch(), tp);
            if (error == GroupError.NONE) {
                error = OffsetCommitChecks.check(tp, offset, offsetConfig);
            }
            if (error == GroupError.NONE) {
                records.add(RecordKey.ofOffset(request.groupId(), tp)
                        .with(RecordValues.encodeOffsetCommit(offset.committedAt(nowMs))));
            }
            errors.put(tp, error);
        });
        return new Write<>(records, errors);
    }

    /**
     * The group's committed offsets: all of them, or those of the given partitions; a partition with no
     * committed offset is not in the answer.
     */
    public Map<TopicPartition, OffsetAndMetadata> fetchOffsets(
            String groupId, Optional<Set<TopicPartition>> partitions) {
        SortedMap<TopicPartition, OffsetAndMetadata> committed = new TreeMap<>(committedOffsets(groupId));
        partitions.ifPresent(wanted -> committed.keySet().retainAll(wanted));
        return Collections.unmodifiableSortedMap(committed);
    }

    /**
     * Removes the members past their session or revocation deadline, tombstones the offsets that outlived
     * offsets.retention.ms ({@link OffsetRetention}: KIP-211, counting from when the group became empty, or from
     * the commit for a group with no consumer group state), and deletes each group that has no member and no
     * offset left. Groups are judged as stored: one that this call empties is deleted by a later one.
     *
     * <p>The members it names are those it removes, after those heartbeats removed since the last call (a
     * heartbeat removes the members whose time ran out before it is answered): each removal is reported once,
     * by the pass that follows it, so the broker can log every one.
     *
     * @param topicsOfGroup the topics as the given group sees them: its members' patterns resolved for their
     *     principals, so each group's may differ; asked only for a group a member of which is removed
     */
    public Write<List<ExpiredMember>> expire(Function<String, TopicsImage> topicsOfGroup, long nowMs) {
        SortedMap<String, ConsumerGroup> current = new TreeMap<>();
        groups.forEach((id, group) -> current.put(id, group.group(id)));
        timers.keepOnly(current.values());
        connections.keepOnly(current.values());
        List<GroupRecord> records = new ArrayList<>();
        List<ExpiredMember> expired = new ArrayList<>(expiredByHeartbeats);
        expiredByHeartbeats.clear();
        current.forEach((id, before) -> {
            ConsumerGroup timed = timers.withTimers(before);
            if (!MemberExpiry.anyExpired(timed, nowMs)) {
                return;
            }
            ExpiryResult result = coordinator.expire(timed, topicsOfGroup.apply(id), nowMs);
            if (!result.removed().isEmpty()) {
                records.addAll(changes(before, result.group(), nowMs));
                result.removed().forEach(r -> expired.add(new ExpiredMember(id, r.memberId(), r.reason())));
            }
        });
        for (String id : knownGroupIds()) {
            records.addAll(expiredOffsetsAndGroup(id, Optional.ofNullable(current.get(id)), nowMs));
        }
        return new Write<>(records, expired);
    }

    /** Tombstones for the group's offsets that outlived their retention, and for the group once nothing is left. */
    private List<GroupRecord> expiredOffsetsAndGroup(String groupId, Optional<ConsumerGroup> group, long nowMs) {
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(groupId);
        List<TopicPartition> outlived =
                OffsetRetention.expired(committed, group, emptySinceMs(groupId), offsetConfig.retentionMs(), nowMs);
        List<GroupRecord> records = new ArrayList<>(offsetTombstones(groupId, outlived));
        if (group.isPresent() && group.get().members().isEmpty() && outlived.size() == committed.size()) {
            records.addAll(groups.get(groupId).tombstones(groupId));
        }
        return records;
    }

    /** Every group of this partition: those with consumer group state, and those with only offsets (EMPTY). */
    public List<GroupListing> listGroups() {
        return knownGroupIds().stream()
                .map(id -> {
                    ConsumerGroup group = groupOrEmpty(id);
                    return new GroupListing(
                            id, GroupState.of(group), group.members().size());
                })
                .toList();
    }

    /** The group, as ConsumerGroupDescribe shows it; a group with only offsets is EMPTY at epoch 0. */
    public Optional<GroupDescription> describe(String groupId) {
        return isKnown(groupId)
                ? Optional.of(GroupDescription.of(
                        groupOrEmpty(groupId), config.assignor().name()))
                : Optional.empty();
    }

    /**
     * True when a member of the group subscribes with a regular expression; false for an unknown group. Cheap,
     * unlike {@link #describe}: the broker asks on every heartbeat whether there is a pattern to resolve.
     */
    public boolean subscribesWithPattern(String groupId) {
        StoredGroup stored = groups.get(groupId);
        return stored != null && stored.subscribesWithPattern();
    }

    /** The group as its records built it, without timers; empty when no ConsumerGroupMetadata record made it. */
    public Optional<ConsumerGroup> group(String groupId) {
        StoredGroup stored = groups.get(groupId);
        return stored == null || !stored.exists() ? Optional.empty() : Optional.of(stored.group(groupId));
    }

    /**
     * DeleteGroups for one group: {@link GroupError#GROUP_ID_NOT_FOUND}, {@link GroupError#NON_EMPTY_GROUP}
     * while it has members (a static member that left for now counts), or {@link GroupError#NONE} with
     * tombstones for all its records and offsets.
     *
     * @param nowMs not used: deletion does not depend on time; kept so that the runtime's calls stay as agreed
     */
    public Write<GroupError> deleteGroup(String groupId, long nowMs) {
        if (!isKnown(groupId)) {
            return Write.answer(GroupError.GROUP_ID_NOT_FOUND);
        }
        if (!groupOrEmpty(groupId).members().isEmpty()) {
            return Write.answer(GroupError.NON_EMPTY_GROUP);
        }
        List<GroupRecord> records = new ArrayList<>(
                offsetTombstones(groupId, committedOffsets(groupId).keySet()));
        StoredGroup stored = groups.get(groupId);
        if (stored != null) {
            records.addAll(stored.tombstones(groupId));
        }
        return new Write<>(records, GroupError.NONE);
    }

    /**
     * OffsetDelete: per partition, {@link GroupError#NONE} (with a tombstone if an offset was committed),
     * {@link GroupError#GROUP_SUBSCRIBED_TO_TOPIC} for a topic a member subscribes to, or, for every partition,
     * {@link GroupError#GROUP_ID_NOT_FOUND}.
     */
    public Write<Map<TopicPartition, GroupError>> deleteOffsets(String groupId, Set<TopicPartition> partitions) {
        SortedMap<TopicPartition, GroupError> errors = new TreeMap<>();
        if (!isKnown(groupId)) {
            partitions.forEach(tp -> errors.put(tp, GroupError.GROUP_ID_NOT_FOUND));
            return Write.answer(errors);
        }
        ConsumerGroup group = groupOrEmpty(groupId);
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(groupId);
        List<TopicPartition> deleted = new ArrayList<>();
        for (TopicPartition tp : new TreeSet<>(partitions)) {
            boolean subscribed = group.isSubscribedTo(tp.topic());
            errors.put(tp, subscribed ? GroupError.GROUP_SUBSCRIBED_TO_TOPIC : GroupError.NONE);
            if (!subscribed && committed.containsKey(tp)) {
                deleted.add(tp);
            }
        }
        return new Write<>(offsetTombstones(groupId, deleted), errors);
    }

    /** The records that make the stored group {@code before} the group the coordinator computed. */
    private List<GroupRecord> changes(ConsumerGroup before, ConsumerGroup computed, long nowMs) {
        return GroupChanges.between(
                before, emptySinceMs(before.groupId()), MemberTimers.withoutTimers(computed), nowMs);
    }

    private ConsumerGroup groupOrEmpty(String groupId) {
        StoredGroup stored = groups.get(groupId);
        return stored == null ? ConsumerGroup.empty(groupId) : stored.group(groupId);
    }

    private long emptySinceMs(String groupId) {
        StoredGroup stored = groups.get(groupId);
        return stored == null ? GroupMetadata.NOT_EMPTY : stored.emptySinceMs();
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String groupId) {
        return offsets.getOrDefault(groupId, Collections.emptySortedMap());
    }

    private boolean isKnown(String groupId) {
        return groups.containsKey(groupId) || offsets.containsKey(groupId);
    }

    private SortedSet<String> knownGroupIds() {
        TreeSet<String> ids = new TreeSet<>(groups.keySet());
        ids.addAll(offsets.keySet());
        return ids;
    }

    private static List<GroupRecord> offsetTombstones(String groupId, Collection<TopicPartition> partitions) {
        return partitions.stream()
                .map(tp -> RecordKey.ofOffset(groupId, tp).tombstone())
                .toList();
    }
}
