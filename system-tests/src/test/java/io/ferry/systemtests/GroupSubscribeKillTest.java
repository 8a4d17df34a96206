package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.CommitOffset;
import io.ferry.proto.v1.CommitPartitionResult;
import io.ferry.proto.v1.CommitResult;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeCommit;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A RecordService.Subscribe stream that is a consumer group member, served by a broker other than the group's
 * coordinator, while the coordinator is killed with kill -9 under acks=all load: the stream stays open and
 * delivers every acknowledged record, the offsets it committed before the kill are on the new coordinator, and
 * its commits after the kill are accepted there.
 */
class GroupSubscribeKillTest {

    private static final String TOPIC = "group-subscribe-kill";
    private static final String GROUP = "streamers";
    private static final int PARTITIONS = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Few {@code __consumer_offsets} partitions, so that creating them is quick on a small machine. */
    private static final List<String> NODE_SETTINGS =
            List.of("group.consumer.heartbeat.interval.ms=1000", "offsets.topic.num.partitions=10");

    private ProcessCluster cluster;
    private ManagedChannel channel;

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What a group stream delivered and answered, and the error that ended it, if one did. */
    private static final class GroupStream implements StreamObserver<SubscribeResponse> {
        private final List<ConsumedRecord> records = new ArrayList<>();
        private final List<CommitResult> commits = new ArrayList<>();
        private List<Integer> assigned = List.of();
        private final AtomicReference<Throwable> ended = new AtomicReference<>();
        private StreamObserver<SubscribeRequest> requests;

        @Override
        public synchronized void onNext(SubscribeResponse response) {
            records.addAll(response.getRecordsList());
            if (response.hasAssignment()) {
                assigned = response.getAssignment().getPartitionsList();
            }
            if (response.hasCommit()) {
                commits.add(response.getCommit());
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.set(t);
        }

        @Override
        public void onCompleted() {
            ended.set(new IllegalStateException("the server completed the stream"));
        }

        synchronized List<ConsumedRecord> records() {
            return List.copyOf(records);
        }

        synchronized List<Integer> assigned() {
            return assigned;
        }

        synchronized List<CommitResult> commits() {
            return List.copyOf(commits);
        }

        /** The next offset to read of each partition delivered so far. */
        synchronized Map<Integer, Long> nextOffsets() {
            Map<Integer, Long> next = new HashMap<>();
            records.forEach(r -> next.merge(r.getPartition(), r.getOffset() + 1, Math::max));
            return next;
        }

        /**
         * Commits {@code offsets} until an answer has no error (the first after a coordinator failover may meet
         * the member rejoining), as an application retries a failed commit.
         */
        void commitUntilAccepted(Map<Integer, Long> offsets) {
            await("an accepted commit of " + offsets).atMost(TIMEOUT).until(() -> {
                int answered = commits().size();
                SubscribeCommit.Builder commit = SubscribeCommit.newBuilder().setCommitId(answered + 1);
                offsets.forEach((p, o) -> commit.addOffsets(
                        CommitOffset.newBuilder().setPartition(p).setOffset(o)));
                synchronized (this) {
                    requests.onNext(
                            SubscribeRequest.newBuilder().setCommit(commit).build());
                }
                await().atMost(TIMEOUT).until(() -> commits().size() > answered || ended.get() != null);
                assertNull(ended.get(), "the stream ended");
                CommitResult result = commits().get(answered);
                return result.getPartitionsList().stream().noneMatch(CommitPartitionResult::hasError);
            });
        }
    }

    @Test
    void aGroupStreamOutlivesItsCoordinatorsKillWithEveryAcknowledgedRecordAndItsCommits() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("group-subscribe-kill", TOPIC, PARTITIONS, NODE_SETTINGS);
        int coordinator = cluster.awaitGroupCoordinator(GROUP, id -> true, TIMEOUT);
        int through = ProcessCluster.BROKER_IDS.stream()
                .filter(id -> id != coordinator)
                .findFirst()
                .orElseThrow();
        channel = Grpc.newChannelBuilder(cluster.node(through).address(), InsecureChannelCredentials.create())
                .build();
        AckLedger ledger = new AckLedger();
        GroupStream stream = new GroupStream();
        try (LoadGenerator load =
                new LoadGenerator(cluster.bootstrap(), TOPIC, PARTITIONS, 2, 50_000, 500, TIMEOUT, ledger)) {
            load.start();
            load.awaitProgress(500, TIMEOUT);
            synchronized (stream) {
                stream.requests = RecordServiceGrpc.newStub(channel).subscribe(stream);
                stream.requests.onNext(SubscribeRequest.newBuilder()
                        .setStart(SubscribeStart.newBuilder()
                                .setTopic(TOPIC)
                                .setGroupId(GROUP)
                                .setStart(StartPosition.newBuilder()
                                        .setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)))
                        .build());
            }
            await().atMost(TIMEOUT)
                    .until(() ->
                            stream.ended.get() != null || stream.nextOffsets().size() == PARTITIONS);
            assertNull(stream.ended.get(), "the stream ended");
            assertEquals(List.of(0, 1), stream.assigned(), "the only member has every partition");
            Map<Integer, Long> committedBefore = stream.nextOffsets();
            stream.commitUntilAccepted(committedBefore);

            cluster.kill(coordinator);
            int newCoordinator = cluster.awaitGroupCoordinator(GROUP, id -> id != coordinator, TIMEOUT);
            Map<Integer, Long> onNewCoordinator = committed();
            committedBefore.forEach((p, o) -> assertEquals(
                    o,
                    onNewCoordinator.get(p),
                    "coordinator " + newCoordinator + " has the offset committed on " + coordinator
                            + " before its kill"));
            load.awaitProgress(500, TIMEOUT);
            System.out.println("coordinator " + coordinator + " killed, " + newCoordinator
                    + " took over; stream through" + " broker " + through + "; load: " + load.stop());
        }
        Set<String> acked = new HashSet<>();
        ledger.acks().forEach(a -> acked.add(a.value()));
        await().atMost(TIMEOUT).until(() -> {
            Set<String> delivered = new HashSet<>();
            stream.records().forEach(r -> delivered.add(r.getValue().toStringUtf8()));
            return stream.ended.get() != null || delivered.containsAll(acked);
        });
        assertNull(stream.ended.get(), "the stream ended");

        Map<Integer, Long> last = stream.nextOffsets();
        stream.commitUntilAccepted(last);
        assertEquals(last, committed(), "the commit after the kill is on the new coordinator");
    }

    private Map<Integer, Long> committed() {
        Map<Integer, Long> offsets = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> listed = cluster.admin().listConsumerGroupOffsets(GROUP);
        listed.forEach((tp, o) -> offsets.put(tp.partition(), o.offset()));
        return offsets;
    }
}
