package io.ferry.node.internal.broker.records;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.FakeServerCall;
import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.record.CompressionType;
import io.ferry.storage.BufferLease;
import io.ferry.storage.TopicPartition;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One {@link Subscription} against fake leaders and a fake stream: no socket, no log. */
class SubscriptionTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    /** A leader whose reads the test answers; offsets start at 0. */
    private static final class FakeLeader implements PartitionLeader {
        final List<List<Position>> fetches = new ArrayList<>();
        final List<CompletableFuture<Map<TopicPartition, ReadAnswer>>> answers = new ArrayList<>();

        @Override
        public CompletableFuture<Long> listOffset(TopicPartition tp, long timestamp) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public synchronized CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(
                List<Position> positions, int maxBytes, long maxWaitMs) {
            fetches.add(positions);
            CompletableFuture<Map<TopicPartition, ReadAnswer>> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        synchronized int fetchCount() {
            return fetches.size();
        }

        synchronized CompletableFuture<Map<TopicPartition, ReadAnswer>> last() {
            return answers.get(answers.size() - 1);
        }
    }

    private final FakeServerCall<SubscribeResponse> stream = new FakeServerCall<>();
    private final SubscriptionLoad load = new SubscriptionLoad();
    private final Room room = new Room();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** An answer room of 1 MiB that says what it holds. */
    private static final class Room implements AnswerRoom {
        long free = 1 << 20;

        @Override
        public synchronized boolean tryTake(long bytes) {
            if (bytes > free) {
                return false;
            }
            free -= bytes;
            return true;
        }

        @Override
        public synchronized void release(long bytes) {
            free += bytes;
        }

        synchronized long held() {
            return (1 << 20) - free;
        }
    }

    private final AtomicReference<BrokerMetadata> view = new AtomicReference<>(viewWithLeader(1));

    private static BrokerMetadata viewWithLeader(int leader) {
        return new BrokerMetadata(
                1,
                Map.of(),
                Map.of(
                        "t",
                        TopicRecord.newBuilder().setName("t").setTopicId("id-1").build()),
                Map.of(
                        "t",
                        Map.of(
                                0,
                                PartitionRecord.newBuilder()
                                        .setTopic("t")
                                        .setLeader(leader)
                                        .setLeaderEpoch(leader)
                                        .build())));
    }

    private Subscription subscription(Subscription.Leaders leaders) {
        StartPosition earliest = StartPosition.newBuilder()
                .setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)
                .build();
        SubscriptionPlan plan = new SubscriptionPlan(
                "t",
                "id-1",
                List.of(new SubscriptionPlan.PartitionStart(TP, earliest)),
                earliest,
                1 << 20,
                Optional.empty());
        Subscription subscription = new Subscription(
                stream,
                plan,
                view::get,
                leaders,
                load,
                room,
                new BrokerMetrics(new SimpleMeterRegistry(), null),
                timer);
        stream.setOnReadyHandler(subscription::pump);
        return subscription;
    }

    private static ReadAnswer records(long baseOffset, String... values) throws Exception {
        return new ReadAnswer(
                ErrorCode.NONE, "", TestBatches.at(baseOffset, CompressionType.NONE, values), BufferLease.NONE);
    }

    private List<Long> sentOffsets() {
        return stream.sent().stream()
                .flatMap(r -> r.getRecordsList().stream())
                .map(r -> r.getOffset())
                .toList();
    }

    @Test
    void readsOnlyWhileTheStreamIsReadyAndHoldsTheLastAnswerUntilItIsAgain() throws Exception {
        FakeLeader leader = new FakeLeader();
        Subscription subscription = subscription((tp, p) -> leader);
        stream.ready = false;
        subscription.pump();
        assertEquals(0, leader.fetchCount(), "nothing is read for a stream that is not ready");

        stream.becomeReady();
        assertEquals(1, leader.fetchCount());
        stream.ready = false;
        ReadAnswer answer = records(0, "a", "b");
        int bytes = answer.records().remaining();
        leader.last().complete(Map.of(TP, answer));
        assertEquals(List.of(0L, 1L), sentOffsets());
        assertEquals(1, leader.fetchCount(), "no second read before the stream is ready again");
        assertEquals(bytes, load.heldBytes(), "the answer stays held while gRPC holds it");
        assertEquals(bytes, room.held(), "and keeps its room in the broker's budget");

        stream.becomeReady();
        assertEquals(0, load.heldBytes());
        assertEquals(2, leader.fetchCount());
        assertEquals(List.of(new PartitionLeader.Position(TP, 2)), leader.fetches.get(1));

        subscription.cancel();
        assertEquals(0, load.openStreams());
        assertEquals(0, room.held(), "the read in flight gave its room back");
    }

    @Test
    void noReadIsIssuedWithoutRoomInTheBrokersAnswerBudget() throws Exception {
        FakeLeader leader = new FakeLeader();
        room.tryTake(1 << 20);
        subscription((tp, p) -> leader).pump();
        assertEquals(0, leader.fetchCount());

        room.release(1 << 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.fetchCount() == 1);
        assertEquals(1 << 20, room.held(), "a read takes max_bytes before it is issued");
        stream.ready = false;
        ReadAnswer answer = records(0, "a");
        leader.last().complete(Map.of(TP, answer));
        assertEquals(answer.records().remaining(), room.held(), "what the answer did not need is given back at once");
    }

    @Test
    void aMovedLeaderIsFollowedAtTheSameNextOffset() throws Exception {
        FakeLeader first = new FakeLeader();
        FakeLeader second = new FakeLeader();
        subscription((tp, p) -> p.getLeader() == 1 ? first : second);
        stream.becomeReady();
        first.last().complete(Map.of(TP, records(0, "a", "b", "c")));
        first.last().complete(Map.of(TP, ReadAnswer.failed(ErrorCode.NOT_LEADER, "moved")));
        view.set(viewWithLeader(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> second.fetchCount() == 1);
        assertEquals(List.of(new PartitionLeader.Position(TP, 3)), second.fetches.get(0));
        second.last().complete(Map.of(TP, records(3, "d")));
        assertEquals(List.of(0L, 1L, 2L, 3L), sentOffsets());
        assertNull(stream.error);
    }

    @Test
    void aLeaderThatFailsUnexpectedlyEndsTheStreamWithInternalRatherThanStallingIt() {
        subscription((tp, p) -> new PartitionLeader() {
            @Override
            public CompletableFuture<Long> listOffset(TopicPartition tp1, long timestamp) {
                return CompletableFuture.completedFuture(0L);
            }

            @Override
            public CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(
                    List<Position> positions, int maxBytes, long maxWaitMs) {
                throw new IllegalStateException("boom");
            }
        });
        stream.becomeReady();
        assertEquals(Status.Code.INTERNAL, Status.fromThrowable(stream.error).getCode());
        assertTrue(!Status.fromThrowable(stream.error).getDescription().contains("boom"), "no internals leak");
        assertEquals(0, load.openStreams());
        assertEquals(0, room.held(), "the failed read gave its room back");
    }

    @Test
    void aDeletedTopicEndsTheStreamWithNotFound() {
        FakeLeader leader = new FakeLeader();
        subscription((tp, p) -> leader);
        stream.becomeReady();
        view.set(new BrokerMetadata(2, Map.of(), Map.of(), Map.of()));
        leader.last().complete(Map.of(TP, ReadAnswer.failed(ErrorCode.UNKNOWN_TOPIC, "gone")));

        await().atMost(Duration.ofSeconds(10)).until(() -> stream.error != null);
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(stream.error).getCode());
        assertEquals(0, load.openStreams());
    }

    @Test
    void aTopicCreatedAgainUnderItsNameIsAnotherTopicAndEndsTheStream() {
        FakeLeader leader = new FakeLeader();
        subscription((tp, p) -> leader);
        stream.becomeReady();
        BrokerMetadata recreated = viewWithLeader(1);
        view.set(new BrokerMetadata(
                2,
                Map.of(),
                Map.of(
                        "t",
                        TopicRecord.newBuilder().setName("t").setTopicId("id-2").build()),
                recreated.partitions()));
        leader.last().complete(Map.of(TP, ReadAnswer.failed(ErrorCode.NOT_LEADER, "moved")));

        await().atMost(Duration.ofSeconds(10)).until(() -> stream.error != null);
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(stream.error).getCode());
    }

    @Test
    void aNextOffsetNoLongerInTheLogEndsTheStreamWithOutOfRange() throws Exception {
        FakeLeader leader = new FakeLeader();
        subscription((tp, p) -> leader);
        stream.becomeReady();
        leader.last().complete(Map.of(TP, records(0, "a")));
        leader.last().complete(Map.of(TP, ReadAnswer.failed(ErrorCode.OFFSET_OUT_OF_RANGE, "log starts at 9")));

        Status status = Status.fromThrowable(stream.error);
        assertEquals(Status.Code.OUT_OF_RANGE, status.getCode());
        assertTrue(status.getDescription().contains("next offset 1"), status.toString());
        assertEquals(List.of(0L), sentOffsets(), "what was read before is delivered");
        assertEquals(0, room.held());
    }
}
