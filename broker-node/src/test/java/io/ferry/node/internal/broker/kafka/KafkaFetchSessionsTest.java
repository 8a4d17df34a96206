package io.ferry.node.internal.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.kafka.KafkaFetchSessions.Key;
import io.ferry.node.internal.broker.kafka.KafkaFetchSessions.Plan;
import io.ferry.node.internal.broker.kafka.KafkaFetchSessions.Read;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Kafka's fetch sessions as kafka-clients drives them, and as a client that gets them wrong would. */
class KafkaFetchSessionsTest {

    private final KafkaFetchSessions sessions = new KafkaFetchSessions();

    @Test
    void aFullFetchOpensASessionAndLaterOnesNameOnlyWhatMoved() {
        Plan opened = sessions.plan(request(0, 0, List.of(partition("t", 0, 10), partition("t", 1, 20))));
        assertNull(opened.error());
        assertNotEquals(KafkaFetch.NO_SESSION, opened.sessionId());
        assertFalse(opened.incremental());
        assertEquals(List.of(read("t", 0, 10), read("t", 1, 20)), opened.reads());

        // Partition 0 moved on; partition 1 is not named and keeps its position; u-0 joins.
        Plan next = sessions.plan(request(opened.sessionId(), 1, List.of(partition("t", 0, 15), partition("u", 0, 0))));
        assertNull(next.error());
        assertTrue(next.incremental());
        assertEquals(List.of(read("t", 0, 15), read("t", 1, 20), read("u", 0, 0)), next.reads());

        FetchRequestData forgetting = request(opened.sessionId(), 2, List.of());
        forgetting.setForgottenTopicsData(
                List.of(new ForgottenTopic().setTopic("t").setPartitions(List.of(1))));
        assertEquals(
                List.of(read("t", 0, 15), read("u", 0, 0)),
                sessions.plan(forgetting).reads());
    }

    @Test
    void anIncrementalAnswerTellsOnlyPartitionsWithNews() {
        Plan opened = sessions.plan(request(0, 0, List.of(partition("t", 0, 10), partition("t", 1, 20))));
        // A full answer tells everything, and records what it told.
        assertTrue(sessions.tell(opened, new Key("t", 0), 10, 0, false));
        assertTrue(sessions.tell(opened, new Key("t", 1), 20, 0, false));

        Plan next = sessions.plan(request(opened.sessionId(), 1, List.of()));
        assertFalse(sessions.tell(next, new Key("t", 0), 10, 0, false), "nothing changed");
        assertTrue(sessions.tell(next, new Key("t", 1), 25, 0, false), "its high watermark moved");
        assertTrue(sessions.tell(next, new Key("t", 0), 10, 0, true), "it has records");

        Plan after = sessions.plan(request(opened.sessionId(), 2, List.of()));
        assertFalse(sessions.tell(after, new Key("t", 1), 25, 0, false), "the move was told already");
        assertTrue(sessions.tell(after, new Key("t", 1), 25, 7, false), "its log start moved");
    }

    @Test
    void anUnknownSessionOrAWrongEpochIsRefusedAndTheSessionStaysWhereItWas() {
        Plan opened = sessions.plan(request(0, 0, List.of(partition("t", 0, 10))));
        int other = opened.sessionId() == Integer.MAX_VALUE ? 1 : opened.sessionId() + 1;
        assertEquals(
                Errors.FETCH_SESSION_ID_NOT_FOUND,
                sessions.plan(request(other, 1, List.of())).error());
        assertEquals(
                Errors.INVALID_FETCH_SESSION_EPOCH,
                sessions.plan(request(opened.sessionId(), 2, List.of())).error());
        assertEquals(
                Errors.INVALID_FETCH_SESSION_EPOCH,
                sessions.plan(request(opened.sessionId(), -7, List.of())).error());
        assertNull(sessions.plan(request(opened.sessionId(), 1, List.of())).error());
    }

    @Test
    void theFinalEpochClosesTheSessionAndFetchesWithoutOne() {
        Plan opened = sessions.plan(request(0, 0, List.of(partition("t", 0, 10))));
        Plan closing = sessions.plan(request(opened.sessionId(), -1, List.of(partition("t", 0, 12))));
        assertNull(closing.error());
        assertEquals(KafkaFetch.NO_SESSION, closing.sessionId());
        assertEquals(List.of(read("t", 0, 12)), closing.reads());
        assertEquals(0, sessions.size());
        assertEquals(
                Errors.FETCH_SESSION_ID_NOT_FOUND,
                sessions.plan(request(opened.sessionId(), 1, List.of())).error());
    }

    @Test
    void sessionsAreBoundedInNumberAndInPartitionsTheOldestGoingFirst() {
        int first = sessions.plan(request(0, 0, List.of(partition("t", 0, 0)))).sessionId();
        for (int i = 1; i < KafkaFetchSessions.MAX_SESSIONS; i++) {
            sessions.plan(request(0, 0, List.of(partition("t", 0, 0))));
        }
        assertEquals(KafkaFetchSessions.MAX_SESSIONS, sessions.size());
        sessions.plan(request(0, 0, List.of(partition("t", 0, 0))));
        assertEquals(KafkaFetchSessions.MAX_SESSIONS, sessions.size());
        assertEquals(
                Errors.FETCH_SESSION_ID_NOT_FOUND,
                sessions.plan(request(first, 1, List.of())).error());

        // One fetch naming more partitions than every session may hold together gets none.
        List<FetchPartition> many = new ArrayList<>();
        for (int p = 0; p <= KafkaFetchSessions.MAX_PARTITIONS; p++) {
            many.add(new FetchPartition().setPartition(p).setFetchOffset(0));
        }
        FetchRequestData huge = new FetchRequestData()
                .setSessionId(0)
                .setSessionEpoch(0)
                .setTopics(List.of(new FetchTopic().setTopic("t").setPartitions(many)));
        Plan refusedASession = sessions.plan(huge);
        assertNull(refusedASession.error());
        assertEquals(KafkaFetch.NO_SESSION, refusedASession.sessionId());
        assertEquals(
                KafkaFetchSessions.MAX_PARTITIONS + 1, refusedASession.reads().size());
    }

    private static FetchRequestData request(int sessionId, int epoch, List<FetchTopic> topics) {
        return new FetchRequestData()
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setTopics(topics);
    }

    private static FetchTopic partition(String topic, int partition, long offset) {
        return new FetchTopic()
                .setTopic(topic)
                .setPartitions(List.of(new FetchPartition()
                        .setPartition(partition)
                        .setFetchOffset(offset)
                        .setPartitionMaxBytes(1024)
                        .setCurrentLeaderEpoch(-1)));
    }

    private static Read read(String topic, int partition, long offset) {
        return new Read(new Key(topic, partition), offset, 1024, -1);
    }
}
