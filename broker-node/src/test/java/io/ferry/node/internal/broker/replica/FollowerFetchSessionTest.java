package io.ferry.node.internal.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.wire.ReplicaFetchAnswer;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ForgottenTopic;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.replication.FetchParams;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each request of a follower's fetch session names, as pure logic. */
class FollowerFetchSessionTest {

    private static final FetchParams PARAMS = new FetchParams(500, 1, 1 << 20);
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 1);
    private static final TopicPartition C = new TopicPartition("b", 2);

    private final FollowerFetchSession session = new FollowerFetchSession();

    private static ReplicaFetchPartition at(TopicPartition tp, long offset) {
        return new ReplicaFetchPartition(tp, offset, 3, 2, 1 << 20);
    }

    private static ReplicaFetchAnswer opened(int sessionId) {
        return new ReplicaFetchAnswer(Error.getDefaultInstance(), sessionId, Map.of());
    }

    private static List<TopicPartition> named(ReplicaFetchRequest request) {
        List<TopicPartition> named = new ArrayList<>();
        request.getTopicsList()
                .forEach(topic -> topic.getPartitionsList()
                        .forEach(p -> named.add(new TopicPartition(topic.getTopic(), p.getPartition()))));
        return named;
    }

    private static List<TopicPartition> forgotten(ReplicaFetchRequest request) {
        List<TopicPartition> forgotten = new ArrayList<>();
        for (ForgottenTopic topic : request.getForgottenTopicsList()) {
            topic.getPartitionsList().forEach(p -> forgotten.add(new TopicPartition(topic.getTopic(), p)));
        }
        return forgotten;
    }

    /** A session opened by a full request over A, B and C at offset 10, answered with session 42. */
    private void open() {
        FollowerFetchSession.Request full = session.request(2, PARAMS, List.of(at(A, 10), at(B, 10), at(C, 10)), false);
        session.answered(full, opened(42));
    }

    @Test
    void theFirstRequestIsFullAndNamesEveryPartition() {
        FollowerFetchSession.Request first = session.request(2, PARAMS, List.of(at(A, 10), at(B, 10)), false);

        assertTrue(first.full());
        assertEquals(0, first.message().getSessionEpoch());
        assertEquals(0, first.message().getSessionId());
        assertEquals(List.of(A, B), named(first.message()));
        assertEquals(2, first.message().getReplicaId());
        assertEquals(500, first.message().getMaxWaitMs());
    }

    @Test
    void anIncrementalRequestNamesOnlyPositionsThatMovedAndForgetsPartitionsThatLeft() {
        open();

        FollowerFetchSession.Request next = session.request(2, PARAMS, List.of(at(A, 10), at(B, 15)), false);

        assertFalse(next.full());
        assertEquals(42, next.message().getSessionId());
        assertEquals(1, next.message().getSessionEpoch());
        assertEquals(List.of(B), named(next.message()));
        assertEquals(15, next.message().getTopics(0).getPartitions(0).getFetchOffset());
        assertEquals(List.of(C), forgotten(next.message()));

        session.answered(next, opened(42));
        FollowerFetchSession.Request after =
                session.request(2, PARAMS, List.of(at(A, 10), at(B, 15), at(C, 10)), false);
        assertEquals(2, after.message().getSessionEpoch());
        assertEquals(List.of(C), named(after.message()), "a partition that came back is named again");
        assertEquals(List.of(), forgotten(after.message()));
    }

    @Test
    void aNewLeaderEpochIsAMovedPosition() {
        open();

        ReplicaFetchPartition newEpoch = new ReplicaFetchPartition(A, 10, 4, 2, 1 << 20);
        FollowerFetchSession.Request next = session.request(2, PARAMS, List.of(newEpoch, at(B, 10), at(C, 10)), false);

        assertEquals(List.of(A), named(next.message()));
    }

    @Test
    void afterAFailedRequestOrWhenTheFetcherAsksTheNextRequestIsFull() {
        open();
        FollowerFetchSession.Request lost = session.request(2, PARAMS, List.of(at(A, 11), at(B, 10), at(C, 10)), false);
        session.failed(lost);

        FollowerFetchSession.Request afterFailure =
                session.request(2, PARAMS, List.of(at(A, 11), at(B, 10), at(C, 10)), false);
        assertTrue(afterFailure.full());
        assertEquals(List.of(A, B, C), named(afterFailure.message()));

        session.answered(afterFailure, opened(43));
        FollowerFetchSession.Request asked = session.request(2, PARAMS, List.of(at(A, 11), at(B, 10)), true);
        assertTrue(asked.full());
        assertEquals(List.of(A, B), named(asked.message()));
        assertEquals(List.of(), forgotten(asked.message()), "a full request replaces the session whole");
    }

    @Test
    void aRefusedSessionMakesTheNextRequestFull() {
        open();
        FollowerFetchSession.Request next = session.request(2, PARAMS, List.of(at(A, 10), at(B, 10), at(C, 10)), false);

        session.answered(
                next,
                new ReplicaFetchAnswer(
                        Error.newBuilder()
                                .setCode(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
                                .build(),
                        0,
                        Map.of()));

        assertTrue(session.request(2, PARAMS, List.of(at(A, 10)), false).full());
    }

    @Test
    void aLeaderThatKeepsNoSessionGetsFullRequestsOnly() {
        FollowerFetchSession.Request first = session.request(2, PARAMS, List.of(at(A, 10)), false);
        session.answered(first, opened(0));

        assertTrue(session.request(2, PARAMS, List.of(at(A, 10)), false).full());
    }

    @Test
    void thePartitionsTheLeaderRefusedAreNamedAgain() {
        FollowerFetchSession.Request full = session.request(2, PARAMS, List.of(at(A, 10), at(B, 10)), false);
        session.answered(
                full,
                new ReplicaFetchAnswer(
                        Error.getDefaultInstance(),
                        42,
                        Map.of(B, ReplicaFetchResult.failed(PartitionError.of(ErrorCode.NOT_LEADER, "not yet")))));

        FollowerFetchSession.Request next = session.request(2, PARAMS, List.of(at(A, 10), at(B, 10)), false);

        assertEquals(List.of(B), named(next.message()));
    }

    @Test
    void aLateAnswerOfAnAbandonedRequestChangesNothing() {
        open();
        FollowerFetchSession.Request abandoned =
                session.request(2, PARAMS, List.of(at(A, 11), at(B, 10), at(C, 10)), false);
        FollowerFetchSession.Request restarted =
                session.request(2, PARAMS, List.of(at(A, 11), at(B, 10), at(C, 10)), true);
        session.answered(restarted, opened(50));

        session.failed(abandoned);
        session.answered(abandoned, opened(42));

        FollowerFetchSession.Request next = session.request(2, PARAMS, List.of(at(A, 11), at(B, 10), at(C, 10)), false);
        assertFalse(next.full());
        assertEquals(50, next.message().getSessionId());
        assertEquals(1, next.message().getSessionEpoch());
        assertEquals(List.of(), named(next.message()));
    }

    @Test
    void theEpochWrapsToOneNeverToZero() {
        assertEquals(1, io.ferry.node.internal.broker.wire.FetchSessionEpoch.next(Integer.MAX_VALUE));
        assertEquals(2, io.ferry.node.internal.broker.wire.FetchSessionEpoch.next(1));
    }
}
