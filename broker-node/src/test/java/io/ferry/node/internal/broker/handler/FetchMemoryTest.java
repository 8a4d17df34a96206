package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.MemoryBudget;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.replication.FetchedPartition;
import io.ferry.replication.Timer;
import io.ferry.storage.BufferLease;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetches hold room for their answers until their call ends: a fetch that finds none waits, as a
 * long-poll does, and goes on when an earlier call completes or is cancelled; one whose wait runs out is
 * answered without records; one that finds no room to wait at all is answered at once.
 */
class FetchMemoryTest {

    private HandlerFixtures.LeaderOfT0 leader;
    private FetchHandler handler;
    private int batchSize;
    /** Deadlines of waits for room, not yet cancelled; the test runs them. */
    private final List<Runnable> deadlines = new ArrayList<>();

    private final Timer timer = (delayMs, task) -> {
        deadlines.add(task);
        return () -> deadlines.remove(task);
    };

    @BeforeEach
    void leadT0WithOneBatch(@TempDir Path dir) throws Exception {
        leader = HandlerFixtures.LeaderOfT0.alone(dir);
        ByteBuffer batch = BrokerTestSupport.batch("v", 3);
        batchSize = batch.remaining();
        leader.append(batch);
        handler = new FetchHandler(
                leader.replicas,
                () -> HandlerFixtures.ledByBroker1("t", 1),
                new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                30_000,
                Integer.MAX_VALUE,
                BrokerAuthorizer.allowingEverything());
    }

    @AfterEach
    void close() {
        leader.close();
    }

    /** Room for one answer of the one batch, on the broker and per connection. */
    private FetchMemory roomForOneAnswer() {
        return new FetchMemory(
                new MemoryBudget(batchSize, batchSize, timer), new MemoryBudget(1 << 20, 1 << 20, timer));
    }

    private CompletableFuture<FetchResponse> fetch(FetchMemory.Call call, long offset) {
        CompletableFuture<FetchResponse> answer = new CompletableFuture<>();
        handler.handle(
                FetchRequest.newBuilder()
                        .setMaxWaitMs(10_000)
                        .setMinBytes(1)
                        .addTopics(FetchTopic.newBuilder()
                                .setTopic("t")
                                .addPartitions(FetchPartition.newBuilder()
                                        .setPartition(0)
                                        .setFetchOffset(offset)
                                        .setCurrentLeaderEpoch(-1)))
                        .build(),
                false,
                call,
                answer::complete);
        return answer;
    }

    private static FetchPartitionResult partition(CompletableFuture<FetchResponse> answer) throws Exception {
        return answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
    }

    @Test
    void aFetchWaitsWhileEarlierAnswersHoldTheRoomAndGoesOnWhenTheirCallsEnd() throws Exception {
        FetchMemory memory = roomForOneAnswer();
        FetchMemory.Call first = memory.open("connection A");
        FetchMemory.Call cancelled = memory.open("connection B");
        FetchMemory.Call third = memory.open("connection C");

        assertEquals(batchSize, partition(fetch(first, 0)).getRecords().size());
        CompletableFuture<FetchResponse> withdrawn = fetch(cancelled, 0);
        CompletableFuture<FetchResponse> waiting = fetch(third, 0);
        assertFalse(withdrawn.isDone() || waiting.isDone(), "the first answer holds all the room until its call ends");

        cancelled.end();
        first.end();

        assertEquals(batchSize, partition(waiting).getRecords().size());
        assertFalse(withdrawn.isDone(), "a call cancelled while it waited is never answered");
        third.end();
        assertEquals(
                batchSize,
                partition(fetch(memory.open("connection D"), 0)).getRecords().size(),
                "every call gave its room back");
    }

    @Test
    void aFetchWhoseWaitForRoomRunsOutIsAnsweredWithoutRecords() throws Exception {
        FetchMemory memory = roomForOneAnswer();
        fetch(memory.open("connection A"), 0).get(10, TimeUnit.SECONDS);
        CompletableFuture<FetchResponse> waiting = fetch(memory.open("connection B"), 0);

        List.copyOf(deadlines).forEach(Runnable::run);

        FetchPartitionResult result = partition(waiting);
        assertEquals(ErrorCode.NONE, result.getError().getCode());
        assertTrue(result.getRecords().isEmpty());
        assertEquals(3, result.getHighWatermark(), "the consumer fetches again from where it was");
    }

    @Test
    void aFetchWithNoRoomToWaitIsAnsweredAtOnce() throws Exception {
        FetchRequest size = FetchRequest.newBuilder()
                .setMaxWaitMs(10_000)
                .setMinBytes(1)
                .addTopics(FetchTopic.newBuilder()
                        .setTopic("t")
                        .addPartitions(FetchPartition.newBuilder()
                                .setPartition(0)
                                .setFetchOffset(3)
                                .setCurrentLeaderEpoch(-1)))
                .build();
        MemoryBudget longPolls = new MemoryBudget(size.getSerializedSize(), 1 << 20, timer);
        FetchMemory memory = new FetchMemory(new MemoryBudget(1 << 20, 1 << 20, timer), longPolls);

        CompletableFuture<FetchResponse> parked = fetch(memory.open("connection A"), 3);
        CompletableFuture<FetchResponse> unparked = fetch(memory.open("connection B"), 3);

        assertFalse(parked.isDone(), "waits at the log end for new records");
        FetchPartitionResult result = partition(unparked);
        assertEquals(ErrorCode.NONE, result.getError().getCode());
        assertTrue(result.getRecords().isEmpty());
        assertEquals(size.getSerializedSize(), longPolls.held(), "the parked request holds its size");
    }

    private Map<TopicPartition, FetchedPartition> readCounting(AtomicInteger released) {
        return Map.of(
                new TopicPartition("t", 0),
                new FetchedPartition(
                        null, 1, 0, ByteBuffer.allocate(batchSize), BufferLease.once(released::incrementAndGet)));
    }

    @Test
    void aSentAnswersSlicesStayLeasedUntilItsCallEnds() {
        FetchMemory.Call call = roomForOneAnswer().open("connection");
        AtomicInteger released = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();

        call.reserve(readCounting(released), 0, kept -> sent.incrementAndGet());
        assertEquals(1, sent.get());
        assertEquals(0, released.get(), "gRPC may still be writing the answer");

        call.end();
        assertEquals(1, released.get());
    }

    @Test
    void aCallEndingWhileItsAnswerIsSentReleasesTheSlicesOnlyOnceTheSendReturned() {
        FetchMemory.Call call = roomForOneAnswer().open("connection");
        AtomicInteger released = new AtomicInteger();

        call.reserve(readCounting(released), 0, kept -> {
            call.end();
            assertEquals(0, released.get(), "the send still reads the slices: none may be unmapped under it");
        });

        assertEquals(1, released.get());
    }

    @Test
    void aReadForACallThatAlreadyEndedIsReleasedAtOnce() {
        FetchMemory.Call call = roomForOneAnswer().open("connection");
        AtomicInteger released = new AtomicInteger();
        call.end();

        call.reserve(readCounting(released), 0, kept -> {
            throw new AssertionError("nothing is sent on an ended call");
        });

        assertEquals(1, released.get());
    }
}
