package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.group.internal.MemberTimers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of joins (by names and by regular expression, dynamic and static members), heartbeats that
 * acknowledge or not, leaves, crashes, topic growth, offset commits (by members and from outside the group),
 * the passing of time with expiry, and deletions, each operation's records appended to a log and replayed.
 *
 * <p>After every step the shard holds exactly the group the pure {@link GroupCoordinator} computes from the
 * same requests (timers aside), and answers as it does. At the end, a fresh shard that replays the whole log,
 * one that replays what compaction leaves (the last record of each key), and one that replays that without
 * tombstones (what compaction leaves once it drops them) all have the same groups and offsets, and expire
 * alike once loaded.
 */
class ShardReplayPropertiesTest {

    static final List<String> TOPICS = List.of("a", "b", "c");
    static final String REGEX = "[ab]";
    /** The first {@link ModelConsumer#STATIC_CLIENTS} are static members. */
    static final int CLIENTS = 4;

    static final int SESSION_MS = 10_000;
    static final long RETENTION_MS = 30_000;
    static final int STEP_MS = 100;
    /** The connection every heartbeat comes on: connections' ends are not among the actions. */
    static final Object CONNECTION = new Object();

    static final GroupConfig CONFIG =
            new GroupConfig(SESSION_MS, 1_000, 1_000, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE);
    static final OffsetConfig OFFSETS = new OffsetConfig(RETENTION_MS, 64);

    sealed interface Action {}

    record Join(int client, Set<String> topics, boolean regex) implements Action {}

    record Heartbeat(int client, boolean ack) implements Action {}

    record Leave(int client) implements Action {}

    /** The process dies: its member stays until its session ends; its next life has a new member id. */
    record Crash(int client) implements Action {}

    /** A commit by a client, or (client -1) from outside any group, to group g or to the group-less s. */
    record Commit(int client, String group, String topic, int partition, long offset) implements Action {}

    record Grow(String topic) implements Action {}

    /** Time passes, then the shard expires what ran out. */
    record Wait(int ms) implements Action {}

    record DeleteGroup(String group) implements Action {}

    record DeleteOffsets(String group, String topic) implements Action {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> client = Arbitraries.integers().between(0, CLIENTS - 1);
        Arbitrary<Set<String>> topics = Arbitraries.of(TOPICS).set().ofMaxSize(TOPICS.size());
        Arbitrary<String> topic = Arbitraries.of(TOPICS);
        Arbitrary<String> group = Arbitraries.of("g", "s");
        return Arbitraries.<Action>frequencyOf(
                        Tuple.of(
                                4,
                                Combinators.combine(client, topics, Arbitraries.of(true, false))
                                        .as(Join::new)),
                        Tuple.of(
                                12,
                                Combinators.combine(client, Arbitraries.of(true, false))
                                        .as(Heartbeat::new)),
                        Tuple.of(1, client.map(Leave::new)),
                        Tuple.of(1, client.map(Crash::new)),
                        Tuple.of(
                                4,
                                Combinators.combine(
                                                Arbitraries.integers().between(-1, CLIENTS - 1),
                                                group,
                                                topic,
                                                Arbitraries.integers().between(0, 2),
                                                Arbitraries.longs().between(0, 1_000))
                                        .as(Commit::new)),
                        Tuple.of(1, topic.map(Grow::new)),
                        Tuple.of(
                                2, Arbitraries.integers().between(1_000, 40_000).map(Wait::new)),
                        Tuple.of(1, group.map(DeleteGroup::new)),
                        Tuple.of(1, Combinators.combine(group, topic).as(DeleteOffsets::new)))
                .list()
                .ofMinSize(1)
                .ofMaxSize(60);
    }

    @Property(tries = 300)
    void theShardIsTheCoordinatorsGroupAndItsLogReloadsToItWholeOrCompacted(@ForAll("actions") List<Action> actions) {
        Run run = new Run();
        for (Action action : actions) {
            run.now += STEP_MS;
            run.apply(action);
            run.checkMatchesTheModel(action);
        }
        // Removals by heartbeats since the last pass are reported by the running shard's next pass only: they
        // are not state, so a shard loaded from the log does not know them.
        List<ExpiredMember> reportedOnce = run.expiredByHeartbeats.stream()
                .map(r -> new ExpiredMember("g", r.memberId(), r.reason()))
                .toList();
        for (List<GroupRecord> log : List.of(run.log, compacted(run.log, true), compacted(run.log, false))) {
            CoordinatorShard fresh = new CoordinatorShard(CONFIG, OFFSETS);
            log.forEach(fresh::replay);
            assertSameState(run.shard, fresh);
            run.shard.loaded(run.now);
            fresh.loaded(run.now);
            long later = run.now + SESSION_MS + RETENTION_MS;
            Write<List<ExpiredMember>> expected = run.shard.expire(group -> run.topics(), later);
            Write<List<ExpiredMember>> got = fresh.expire(group -> run.topics(), later);
            List<ExpiredMember> gotAndReported = new ArrayList<>(reportedOnce);
            gotAndReported.addAll(got.response());
            assertEquals(expected.response(), gotAndReported);
            assertEquals(expected.records(), got.records());
            reportedOnce = List.of();
        }
    }

    /**
     * What compaction leaves: the last record of each key, where that record was; with or without the
     * tombstones, which compaction drops once they are old enough.
     */
    static List<GroupRecord> compacted(List<GroupRecord> log, boolean keepTombstones) {
        LinkedHashMap<ByteBuffer, GroupRecord> last = new LinkedHashMap<>();
        for (GroupRecord record : log) {
            ByteBuffer key = ByteBuffer.wrap(record.key());
            last.remove(key);
            last.put(key, record);
        }
        return last.values().stream()
                .filter(r -> keepTombstones || !r.isTombstone())
                .toList();
    }

    static void assertSameState(CoordinatorShard expected, CoordinatorShard actual) {
        assertEquals(expected.listGroups(), actual.listGroups());
        for (String id : List.of("g", "s")) {
            assertEquals(expected.group(id), actual.group(id), id);
            assertEquals(expected.describe(id), actual.describe(id), id);
            assertEquals(expected.fetchOffsets(id, Optional.empty()), actual.fetchOffsets(id, Optional.empty()), id);
        }
    }

    /** The shard under test, the pure coordinator's group beside it, the clients, the topics and the clock. */
    static final class Run {
        final CoordinatorShard shard = new CoordinatorShard(CONFIG, OFFSETS);
        final GroupCoordinator coordinator = new GroupCoordinator(CONFIG);
        final List<GroupRecord> log = new ArrayList<>();
        final Map<String, Integer> partitionCounts = new TreeMap<>(Map.of("a", 2, "b", 3, "c", 1));
        final ModelConsumer[] clients =
                IntStream.range(0, CLIENTS).mapToObj(ModelConsumer::new).toArray(ModelConsumer[]::new);
        /** Group g as the pure coordinator computes it, with its timers. */
        ConsumerGroup model = ConsumerGroup.empty("g");
        /** Members the model's heartbeats removed since the last expiry pass. */
        final List<ExpiryResult.Removal> expiredByHeartbeats = new ArrayList<>();

        long now = 0;

        TopicsImage topics() {
            return new TopicsImage(new TreeMap<>(partitionCounts), Map.of(REGEX, Set.of("a", "b")));
        }

        /** What the runtime does with a write: append its records, replay them, answer. */
        <T> T write(Write<T> write) {
            for (GroupRecord record : write.records()) {
                log.add(record);
                shard.replay(record);
            }
            return write.response();
        }

        /** The request sent to the shard and to the coordinator: both answer alike. */
        HeartbeatResponse send(HeartbeatRequest request) {
            HeartbeatResult expected = coordinator.heartbeat(model, request, topics(), now);
            HeartbeatResponse response = write(shard.heartbeat(request, CONNECTION, topics(), now));
            assertEquals(expected.response(), response, "answer to " + request);
            model = expected.group();
            expiredByHeartbeats.addAll(expected.expired());
            return response;
        }

        void apply(Action action) {
            if (action instanceof Join j) {
                ModelConsumer c = clients[j.client()];
                if (!c.joined) {
                    c.topics = new TreeSet<>(j.topics());
                    c.regex = j.regex() ? REGEX : null;
                    c.join(this::send);
                }
            } else if (action instanceof Heartbeat h) {
                clients[h.client()].heartbeat(this::send, h.ack(), null);
            } else if (action instanceof Leave l) {
                clients[l.client()].leave(this::send);
            } else if (action instanceof Crash c) {
                clients[c.client()].crash();
            } else if (action instanceof Commit c) {
                commit(c);
            } else if (action instanceof Grow g) {
                partitionCounts.merge(g.topic(), 1, Integer::sum);
            } else if (action instanceof Wait w) {
                now += w.ms();
                ExpiryResult expected = coordinator.expire(model, topics(), now);
                List<ExpiredMember> removed = write(shard.expire(group -> topics(), now));
                // The shard reports the members heartbeats removed since the last pass, then its own.
                expiredByHeartbeats.addAll(expected.removed());
                assertEquals(
                        expiredByHeartbeats.stream()
                                .map(r -> new ExpiredMember("g", r.memberId(), r.reason()))
                                .toList(),
                        removed);
                expiredByHeartbeats.clear();
                model = expected.group();
            } else if (action instanceof DeleteGroup d) {
                GroupError error = write(shard.deleteGroup(d.group(), now));
                if (d.group().equals("g") && error != GroupError.GROUP_ID_NOT_FOUND) {
                    assertEquals(model.members().isEmpty() ? GroupError.NONE : GroupError.NON_EMPTY_GROUP, error);
                }
            } else if (action instanceof DeleteOffsets d) {
                Set<TopicPartition> partitions = new TreeSet<>();
                for (int p = 0; p < partitionCounts.get(d.topic()); p++) {
                    partitions.add(new TopicPartition(d.topic(), p));
                }
                Map<TopicPartition, GroupError> errors = write(shard.deleteOffsets(d.group(), partitions));
                if (d.group().equals("g")
                        && errors.values().stream().noneMatch(e -> e == GroupError.GROUP_ID_NOT_FOUND)) {
                    boolean subscribed = model.isSubscribedTo(d.topic());
                    errors.values()
                            .forEach(e -> assertEquals(
                                    subscribed ? GroupError.GROUP_SUBSCRIBED_TO_TOPIC : GroupError.NONE, e));
                }
            }
        }

        void commit(Commit c) {
            String memberId = c.client() < 0 ? "" : clients[c.client()].memberId;
            int epoch = c.client() < 0 ? -1 : clients[c.client()].epoch;
            TopicPartition tp = new TopicPartition(c.topic(), c.partition());
            OffsetCommitRequest request = new OffsetCommitRequest(
                    c.group(), memberId, epoch, Map.of(tp, new OffsetAndMetadata(c.offset(), -1, "m", 0)));
            Map<TopicPartition, GroupError> errors = write(shard.commitOffsets(request, now));
            ConsumerGroup group = c.group().equals("g") ? model : ConsumerGroup.empty(c.group());
            assertEquals(Map.of(tp, coordinator.checkOffsetCommit(group, memberId, epoch, tp)), errors);
            if (errors.get(tp) == GroupError.NONE) {
                assertEquals(
                        new OffsetAndMetadata(c.offset(), -1, "m", now),
                        shard.fetchOffsets(c.group(), Optional.of(Set.of(tp))).get(tp));
            }
        }

        void checkMatchesTheModel(Action action) {
            // The shard deletes a group without members once it has no offsets: the coordinator then starts anew.
            if (shard.group("g").isEmpty() && model.members().isEmpty()) {
                model = ConsumerGroup.empty("g");
            }
            assertEquals(
                    MemberTimers.withoutTimers(model),
                    shard.group("g").orElse(ConsumerGroup.empty("g")),
                    "after " + action);
        }
    }
}
