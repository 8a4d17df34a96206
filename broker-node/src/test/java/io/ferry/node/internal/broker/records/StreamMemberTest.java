package io.ferry.node.internal.broker.records;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.internal.broker.FakeServerCall;
import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A group stream's {@link StreamMember} against a coordinator the test answers, with a heartbeat interval of a
 * minute: every heartbeat the test sees before that is one the member sent because something changed.
 */
class StreamMemberTest {

    private static final Duration SOON = Duration.ofSeconds(10);
    private static final int MINUTE = 60_000;

    /** Answers heartbeats in order from the test; every partition's committed offset is 5. */
    private static final class FakeCoordinator implements Coordinator {
        final List<ConsumerGroupHeartbeatRequest> heartbeats = new ArrayList<>();
        final List<CompletableFuture<ConsumerGroupHeartbeatResponse>> answers = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<ConsumerGroupHeartbeatResponse> heartbeat(
                ConsumerGroupHeartbeatRequest request) {
            heartbeats.add(request);
            CompletableFuture<ConsumerGroupHeartbeatResponse> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        @Override
        public CompletableFuture<OffsetCommitResponse> commit(OffsetCommitRequest request) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<OffsetFetchResponse> committed(OffsetFetchRequest request) {
            OffsetFetchResponse.Topic.Builder topic =
                    OffsetFetchResponse.Topic.newBuilder().setTopic("t");
            request.getTopics(0)
                    .getPartitionsList()
                    .forEach(p -> topic.addPartitions(OffsetFetchResponse.Partition.newBuilder()
                            .setPartition(p)
                            .setCommittedOffset(5)));
            return CompletableFuture.completedFuture(
                    OffsetFetchResponse.newBuilder().addTopics(topic).build());
        }

        synchronized int count() {
            return heartbeats.size();
        }

        synchronized ConsumerGroupHeartbeatRequest sent(int i) {
            return heartbeats.get(i);
        }

        /** Answers heartbeat {@code i} with {@code epoch} and, when given, an assignment. */
        void answer(int i, int epoch, List<Integer> assignment) {
            ConsumerGroupHeartbeatResponse.Builder answer = ConsumerGroupHeartbeatResponse.newBuilder()
                    .setError(Error.newBuilder().setCode(ErrorCode.NONE))
                    .setMemberId(sent(i).getMemberId())
                    .setMemberEpoch(epoch)
                    .setHeartbeatIntervalMs(MINUTE);
            if (assignment != null) {
                answer.setAssignment(ConsumerGroupHeartbeatResponse.Assignment.newBuilder()
                        .addTopics(PartitionsByTopic.newBuilder().setTopic("t").addAllPartitions(assignment)));
            }
            future(i).complete(answer.build());
        }

        void fail(int i, ErrorCode code) {
            future(i)
                    .complete(ConsumerGroupHeartbeatResponse.newBuilder()
                            .setError(Error.newBuilder().setCode(code))
                            .build());
        }

        private synchronized CompletableFuture<ConsumerGroupHeartbeatResponse> future(int i) {
            return answers.get(i);
        }
    }

    private final FakeServerCall<SubscribeResponse> stream = new FakeServerCall<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final FakeCoordinator coordinator = new FakeCoordinator();
    private final StreamMember member = new StreamMember("g", "t", "c", subscription(), coordinator, timer, 30_000);

    @AfterEach
    void stop() {
        member.stop();
        timer.shutdownNow();
    }

    private Subscription subscription() {
        Map<Integer, PartitionRecord> partitions = Map.of(
                0, PartitionRecord.newBuilder().setTopic("t").setLeader(1).build(),
                1,
                        PartitionRecord.newBuilder()
                                .setTopic("t")
                                .setPartition(1)
                                .setLeader(1)
                                .build());
        BrokerMetadata view = new BrokerMetadata(
                1,
                Map.of(),
                Map.of(
                        "t",
                        TopicRecord.newBuilder().setName("t").setTopicId("id-1").build()),
                Map.of("t", partitions));
        StartPosition earliest = StartPosition.newBuilder()
                .setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)
                .build();
        PartitionLeader silent = new PartitionLeader() {
            @Override
            public CompletableFuture<Long> listOffset(TopicPartition tp, long timestamp) {
                return CompletableFuture.completedFuture(0L);
            }

            @Override
            public CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(
                    List<Position> positions, int maxBytes, long maxWaitMs) {
                return new CompletableFuture<>();
            }
        };
        return new Subscription(
                stream,
                new SubscriptionPlan("t", "id-1", List.of(), earliest, 1 << 20, Optional.of("g")),
                () -> view,
                (tp, partition) -> silent,
                new SubscriptionLoad(),
                new AnswerRoom() {
                    @Override
                    public boolean tryTake(long bytes) {
                        return true;
                    }

                    @Override
                    public void release(long bytes) {}
                },
                new BrokerMetrics(new SimpleMeterRegistry(), null),
                timer);
    }

    private List<List<Integer>> announced() {
        return stream.sent().stream()
                .filter(SubscribeResponse::hasAssignment)
                .map(r -> r.getAssignment().getPartitionsList())
                .toList();
    }

    private static List<Integer> owned(ConsumerGroupHeartbeatRequest heartbeat) {
        return heartbeat.getOwnedTopicPartitions().getTopicsList().stream()
                .flatMap(t -> t.getPartitionsList().stream())
                .toList();
    }

    @Test
    void reportsAnAssignmentAndARevocationAtOnceAndRejoinsOwningNothingAfterAFence() {
        member.start();
        await().atMost(SOON).until(() -> coordinator.count() == 1);
        assertEquals(0, coordinator.sent(0).getMemberEpoch(), "it joins at epoch 0");

        // Assigned both partitions: it starts them at the committed offsets and says so in the next heartbeat.
        coordinator.answer(0, 1, List.of(0, 1));
        await().atMost(SOON).until(() -> coordinator.count() == 2);
        assertEquals(List.of(0, 1), owned(coordinator.sent(1)));
        assertEquals(List.of(List.of(), List.of(0, 1)), announced());

        // Partition 1 is revoked: given up and reported at once, not a heartbeat interval later.
        coordinator.answer(1, 2, List.of(0));
        await().atMost(SOON).until(() -> coordinator.count() == 3);
        assertEquals(List.of(0), owned(coordinator.sent(2)));
        assertEquals(List.of(0), announced().get(announced().size() - 1));

        // Fenced: it gives up everything before it joins again.
        coordinator.fail(2, ErrorCode.FENCED_MEMBER_EPOCH);
        await().atMost(SOON).until(() -> coordinator.count() == 4);
        assertEquals(0, coordinator.sent(3).getMemberEpoch());
        assertEquals(List.of(), owned(coordinator.sent(3)));
        assertEquals(List.of(), announced().get(announced().size() - 1));
    }
}
