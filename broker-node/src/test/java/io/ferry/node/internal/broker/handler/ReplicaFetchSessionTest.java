package io.ferry.node.internal.broker.handler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ForgottenTopic;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's side of follower fetch sessions (KIP-227) through the real handler and replica manager: broker 1
 * leads t-0, t-1 and t-2 alone in their ISR; broker 2, a replica of each, fetches.
 */
class ReplicaFetchSessionTest {

    private static final int FOLLOWER = 2;

    /** Broker 1 leads t-0..t-2; brokers 1 and 2 are registered. */
    private static BrokerMetadata view() {
        BrokerMetadata led = HandlerFixtures.ledByBroker1("t", 3);
        return new BrokerMetadata(
                led.version(),
                Map.of(1, HandlerFixtures.broker(1), FOLLOWER, HandlerFixtures.broker(FOLLOWER)),
                led.topics(),
                led.partitions());
    }

    private static ReplicaFetchHandler handler(HandlerFixtures.LeaderOfT0 leader) {
        BrokerMetadata view = view();
        return new ReplicaFetchHandler(
                leader.replicas,
                () -> view,
                new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                30_000,
                Integer.MAX_VALUE,
                BrokerAuthorizer.allowingEverything());
    }

    private static ReplicaFetchPartition at(int partition, long offset) {
        return ReplicaFetchPartition.newBuilder()
                .setPartition(partition)
                .setFetchOffset(offset)
                .setCurrentLeaderEpoch(1)
                .setLastFetchedEpoch(offset == 0 ? -1 : 1)
                .build();
    }

    private static ReplicaFetchRequest.Builder request(int maxWaitMs, ReplicaFetchPartition... positions) {
        ReplicaFetchTopic.Builder topic = ReplicaFetchTopic.newBuilder().setTopic("t");
        for (ReplicaFetchPartition p : positions) {
            topic.addPartitions(p);
        }
        ReplicaFetchRequest.Builder request =
                ReplicaFetchRequest.newBuilder().setReplicaId(FOLLOWER).setMaxWaitMs(maxWaitMs);
        return positions.length == 0 ? request : request.addTopics(topic);
    }

    private static CompletableFuture<ReplicaFetchResponse> send(
            ReplicaFetchHandler handler, ReplicaFetchRequest.Builder request) {
        CompletableFuture<ReplicaFetchResponse> answer = new CompletableFuture<>();
        handler.handle(request.build(), HandlerFixtures.plentyOfMemory(), answer::complete);
        return answer;
    }

    private static ReplicaFetchResponse fetch(ReplicaFetchHandler handler, ReplicaFetchRequest.Builder request)
            throws Exception {
        return send(handler, request).get(10, TimeUnit.SECONDS);
    }

    /** The answered partitions of topic t, by number. */
    private static Map<Integer, ReplicaFetchPartitionResult> answered(ReplicaFetchResponse response) {
        Map<Integer, ReplicaFetchPartitionResult> answered = new TreeMap<>();
        response.getTopicsList().forEach(topic -> {
            assertEquals("t", topic.getTopic());
            topic.getPartitionsList().forEach(p -> answered.put(p.getPartition(), p));
        });
        return answered;
    }

    @Test
    void anIncrementalRequestIsAnsweredOnlyForPartitionsWithNewsOrNamedInIt(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);
            leader.append(0, BrokerTestSupport.batch("v", 3));

            ReplicaFetchResponse full = fetch(handler, request(0, at(0, 0), at(1, 0), at(2, 0)));
            assertNotEquals(0, full.getSessionId());
            assertEquals(ErrorCode.NONE, full.getError().getCode());
            assertEquals(3, answered(full).size(), "a full request is answered for every partition");
            assertFalse(answered(full).get(0).getRecords().isEmpty());

            ReplicaFetchResponse named = fetch(
                    handler,
                    request(0, at(0, 3)).setSessionId(full.getSessionId()).setSessionEpoch(1));
            assertEquals(full.getSessionId(), named.getSessionId());
            assertEquals(Set.of(0), answered(named).keySet(), "only the partition named");
            assertEquals(3, answered(named).get(0).getHighWatermark());

            ReplicaFetchResponse quiet =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(2));
            assertEquals(Map.of(), answered(quiet), "nothing new anywhere");

            leader.append(2, BrokerTestSupport.batch("w", 2));
            ReplicaFetchResponse news =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(3));
            assertEquals(Set.of(2), answered(news).keySet(), "the partition the session holds at offset 0");
            assertFalse(answered(news).get(2).getRecords().isEmpty());
            assertEquals(2, answered(news).get(2).getLogEndOffset());
        }
    }

    @Test
    void aLongPollWakesForRecordsOfAPartitionTheRequestDidNotName(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);
            ReplicaFetchResponse full = fetch(handler, request(0, at(0, 0), at(1, 0), at(2, 0)));

            CompletableFuture<ReplicaFetchResponse> waiting = send(
                    handler,
                    request(30_000)
                            .setSessionId(full.getSessionId())
                            .setSessionEpoch(1)
                            .setMinBytes(1));
            // Parked under each of the three partitions of the session, though the request named none.
            await().atMost(Duration.ofSeconds(10)).until(() -> leader.replicas.waitingRequests() == 3);
            assertFalse(waiting.isDone(), "nothing to answer yet: the request waits");
            leader.append(1, BrokerTestSupport.batch("v", 1));

            ReplicaFetchResponse woken = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(Set.of(1), answered(woken).keySet());
            assertFalse(answered(woken).get(1).getRecords().isEmpty());
        }
    }

    @Test
    void aForgottenPartitionIsNoLongerAnswered(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);
            ReplicaFetchResponse full = fetch(handler, request(0, at(0, 0), at(1, 0)));

            leader.append(1, BrokerTestSupport.batch("v", 1));
            ReplicaFetchResponse after = fetch(
                    handler,
                    request(0)
                            .setSessionId(full.getSessionId())
                            .setSessionEpoch(1)
                            .addForgottenTopics(ForgottenTopic.newBuilder()
                                    .setTopic("t")
                                    .addPartitions(1)
                                    // Names no partition can have, or the session does not hold, change nothing.
                                    .addPartitions(7))
                            .addForgottenTopics(ForgottenTopic.newBuilder()
                                    .setTopic("no/such topic")
                                    .addPartitions(-1)));

            assertEquals(Map.of(), answered(after));
        }
    }

    @Test
    void aRequestOfAnUnknownSessionOrOutOfStepEpochIsRefusedWhole(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);

            ReplicaFetchResponse unknown =
                    fetch(handler, request(0, at(0, 0)).setSessionId(12345).setSessionEpoch(1));
            assertEquals(
                    ErrorCode.FETCH_SESSION_ID_NOT_FOUND, unknown.getError().getCode());
            assertTrue(
                    unknown.getError().getMessage().contains("12345"),
                    unknown.getError().getMessage());
            assertEquals(0, unknown.getTopicsCount());

            ReplicaFetchResponse full = fetch(handler, request(0, at(0, 0)));
            ReplicaFetchResponse skipped =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(2));
            assertEquals(
                    ErrorCode.INVALID_FETCH_SESSION_EPOCH, skipped.getError().getCode());
            assertTrue(
                    skipped.getError().getMessage().contains("expects epoch 1"),
                    skipped.getError().getMessage());

            ReplicaFetchResponse replaced = fetch(handler, request(0, at(0, 0)));
            assertNotEquals(full.getSessionId(), replaced.getSessionId());
            ReplicaFetchResponse stale =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(1));
            assertEquals(
                    ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
                    stale.getError().getCode(),
                    "a follower's full request replaces its session, whatever epoch the old one's requests carry");

            ReplicaFetchResponse negative = fetch(handler, request(0, at(0, 0)).setSessionEpoch(-1));
            assertEquals(
                    ErrorCode.INVALID_REQUEST,
                    answered(negative).get(0).getError().getCode());
            assertTrue(
                    answered(negative).get(0).getError().getMessage().contains("session_epoch"),
                    answered(negative).get(0).getError().getMessage());
        }
    }

    @Test
    void aBrokerTheViewDoesNotRegisterGetsNoSession(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);

            ReplicaFetchResponse answer = fetch(handler, request(0, at(0, 0)).setReplicaId(9));

            assertEquals(0, answer.getSessionId(), "no session for a broker id the cluster does not know");
            assertEquals(1, answered(answer).size());
        }
    }

    @Test
    void hostileSessionFieldsAreRefusedOrChangeNothing(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = HandlerFixtures.LeaderOfT0.alone(dir, 3)) {
            ReplicaFetchHandler handler = handler(leader);
            ReplicaFetchResponse full = fetch(handler, request(0, at(0, 0), at(1, 0)));

            ReplicaFetchResponse negativeId =
                    fetch(handler, request(0, at(0, 0)).setSessionId(-5).setSessionEpoch(1));
            assertEquals(
                    ErrorCode.INVALID_REQUEST,
                    answered(negativeId).get(0).getError().getCode());
            assertTrue(
                    answered(negativeId).get(0).getError().getMessage().contains("session_id"),
                    answered(negativeId).get(0).getError().getMessage());

            ReplicaFetchResponse hugeEpoch =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(Integer.MAX_VALUE));
            assertEquals(
                    ErrorCode.INVALID_FETCH_SESSION_EPOCH, hugeEpoch.getError().getCode());

            // The refusals above did not move the session: epoch 1 is still the one it expects. A partition
            // forgotten several times and named again in the same request stays in the session.
            leader.append(1, BrokerTestSupport.batch("v", 1));
            ReplicaFetchResponse repeated = fetch(
                    handler,
                    request(0, at(0, 0))
                            .setSessionId(full.getSessionId())
                            .setSessionEpoch(1)
                            .addForgottenTopics(ForgottenTopic.newBuilder()
                                    .setTopic("t")
                                    .addPartitions(0)
                                    .addPartitions(0)
                                    .addPartitions(Integer.MAX_VALUE)));
            assertEquals(ErrorCode.NONE, repeated.getError().getCode());
            assertEquals(Set.of(0, 1), answered(repeated).keySet(), "0 named again, 1 with a new record");

            ReplicaFetchResponse another =
                    fetch(handler, request(0).setSessionId(full.getSessionId()).setSessionEpoch(2));
            assertEquals(ErrorCode.NONE, another.getError().getCode(), "the session went on at the next epoch");
        }
    }
}
