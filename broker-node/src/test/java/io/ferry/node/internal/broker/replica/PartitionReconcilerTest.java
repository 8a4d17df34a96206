package io.ferry.node.internal.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.DeleteTopicRecord;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.proto.v1.VersionedRecord;
import io.ferry.replication.FetchParams;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationListener;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogManager;
import io.ferry.storage.LogManagerConfig;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata views turned into hosted partitions and logs, on a real log manager. */
class PartitionReconcilerTest {

    private static final int BROKER = 1;

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private ReplicaManager replicas;
    private PartitionReconciler reconciler;

    @BeforeEach
    void start() throws Exception {
        logs = LogManager.start(LogManagerConfig.of(List.of(dir)), topic -> null, InstantSource.system(), scheduler);
        replicas = new ReplicaManager(
                BROKER,
                new ReplicaLogs() {
                    @Override
                    public ReplicaLog open(TopicPartition tp) {
                        return ReplicaLog.of(logs.getOrCreateLog(tp, LogConfig.defaults()), failure -> {});
                    }

                    @Override
                    public void delete(TopicPartition tp) {
                        logs.deleteLog(tp);
                    }
                },
                topic -> 1,
                new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment(
                        (delay, task) -> () -> {},
                        InstantSource.system(),
                        (leader, replica, params, partitions, full, timeout) ->
                                CompletableFuture.failedFuture(new IOException("no leader is reachable in this test")),
                        (tp, leaderEpoch, partitionEpoch, isr) ->
                                CompletableFuture.failedFuture(new IOException("no controller in this test")),
                        ReplicationListener.NONE,
                        name -> Executors.newSingleThreadExecutor()));
        reconciler = new PartitionReconciler(BROKER, replicas);
    }

    @AfterEach
    void stop() throws Exception {
        replicas.close();
        logs.close();
        scheduler.shutdownNow();
    }

    private static PartitionRecord partition(
            String topic, String id, int p, List<Integer> replicas, int leader, int epoch) {
        return PartitionRecord.newBuilder()
                .setTopic(topic)
                .setTopicId(id)
                .setPartition(p)
                .addAllReplicas(replicas)
                .addAllIsr(replicas)
                .setLeader(leader)
                .setLeaderEpoch(epoch)
                .setPartitionEpoch(epoch)
                .build();
    }

    private static BrokerMetadata view(long version, PartitionRecord... partitions) {
        Map<String, TopicRecord> topics = new HashMap<>();
        Map<String, Map<Integer, PartitionRecord>> byTopic = new HashMap<>();
        for (PartitionRecord p : partitions) {
            topics.put(
                    p.getTopic(),
                    TopicRecord.newBuilder()
                            .setName(p.getTopic())
                            .setTopicId(p.getTopicId())
                            .build());
            byTopic.computeIfAbsent(p.getTopic(), t -> new TreeMap<>()).put(p.getPartition(), p);
        }
        return new BrokerMetadata(version, Map.of(), topics, byTopic);
    }

    @Test
    void assignedPartitionsAreHostedAndTheRestRemovedWithTheirLogs() {
        TopicPartition stray = new TopicPartition("gone", 0);
        logs.getOrCreateLog(stray, LogConfig.defaults());
        BrokerMetadata first = view(
                5,
                partition("a", "id1", 0, List.of(1, 2), 1, 0),
                partition("a", "id1", 1, List.of(2, 1), 2, 0),
                partition("b", "id2", 0, List.of(2), 2, 0));
        reconciler.reconcile(BrokerMetadata.EMPTY, first, logs.allLogs().keySet());

        assertTrue(replicas.partition(new TopicPartition("a", 0)).orElseThrow().isLeaderAt(0));
        assertEquals(
                "follower",
                replicas.partition(new TopicPartition("a", 1))
                        .orElseThrow()
                        .snapshot()
                        .role());
        assertTrue(replicas.partition(new TopicPartition("b", 0)).isEmpty(), "not a replica of b");
        assertTrue(logs.getLog(stray).isEmpty(), "a log of a topic that no longer exists is deleted");

        BrokerMetadata moved =
                view(6, partition("a", "id1", 0, List.of(1, 2), 2, 1), partition("a", "id1", 1, List.of(2, 3), 2, 1));
        reconciler.reconcile(first, moved, Set.of());
        assertEquals(
                2,
                replicas.partition(new TopicPartition("a", 0))
                        .orElseThrow()
                        .snapshot()
                        .leaderId());
        assertTrue(replicas.partition(new TopicPartition("a", 1)).isEmpty(), "no longer assigned here");
        assertTrue(logs.getLog(new TopicPartition("a", 1)).isEmpty());
    }

    /** The view after {@code records}, numbered from {@code view}'s version on, as a broker builds it from a poll. */
    private static BrokerMetadata after(BrokerMetadata view, MetadataRecord... records) {
        FetchMetadataResponse.Builder response =
                FetchMetadataResponse.newBuilder().setMetadataVersion(view.version() + records.length);
        for (int i = 0; i < records.length; i++) {
            response.addRecords(VersionedRecord.newBuilder()
                    .setVersion(view.version() + 1 + i)
                    .setRecord(records[i]));
        }
        return view.apply(response.build());
    }

    private static MetadataRecord create(PartitionRecord p) {
        return MetadataRecord.newBuilder()
                .setCreateTopic(CreateTopicRecord.newBuilder()
                        .setTopic(TopicRecord.newBuilder()
                                .setName(p.getTopic())
                                .setTopicId(p.getTopicId())
                                .setPartitionCount(1))
                        .addPartitions(p))
                .build();
    }

    private static MetadataRecord change(PartitionRecord p) {
        return MetadataRecord.newBuilder()
                .setPartitionChange(PartitionChangeRecord.newBuilder().setPartition(p))
                .build();
    }

    @Test
    void aViewWalksOnlyTheTopicsItChangedUnlessAPartitionCameOrWentBehindItsBack() {
        TopicPartition a0 = new TopicPartition("a", 0);
        TopicPartition b0 = new TopicPartition("b", 0);
        BrokerMetadata first = after(
                BrokerMetadata.EMPTY,
                create(partition("a", "ida", 0, List.of(1, 2), 1, 0)),
                create(partition("b", "idb", 0, List.of(1), 1, 0)));
        assertEquals(
                2, reconciler.reconcile(BrokerMetadata.EMPTY, first, Set.of()).topicsWalked());

        BrokerMetadata second = after(first, change(partition("a", "ida", 0, List.of(1, 2), 2, 1)));
        PartitionReconciler.Result result = reconciler.reconcile(first, second, Set.of());
        assertEquals(new PartitionReconciler.Result(1, 1, 0), result, "only a changed");
        assertEquals(2, replicas.partition(a0).orElseThrow().snapshot().leaderId());

        replicas.removePartition(b0, false);
        BrokerMetadata third = after(second, change(partition("a", "ida", 0, List.of(1, 2), 1, 2)));
        assertEquals(
                2,
                reconciler.reconcile(second, third, Set.of()).topicsWalked(),
                "a partition went without a view: every topic is walked again");
        assertTrue(replicas.partition(b0).isPresent(), "and b-0 is hosted again");
        assertTrue(replicas.partition(a0).orElseThrow().isLeaderAt(2));

        BrokerMetadata deleted = after(
                third,
                MetadataRecord.newBuilder()
                        .setDeleteTopic(DeleteTopicRecord.newBuilder().setName("a"))
                        .build());
        assertEquals(new PartitionReconciler.Result(0, 0, 1), reconciler.reconcile(third, deleted, Set.of()));
        assertTrue(replicas.partition(a0).isEmpty());
        assertTrue(logs.getLog(a0).isEmpty());
        assertTrue(replicas.partition(b0).isPresent());

        BrokerMetadata movedAway = after(deleted, change(partition("b", "idb", 0, List.of(2), 2, 1)));
        assertEquals(new PartitionReconciler.Result(1, 0, 1), reconciler.reconcile(deleted, movedAway, Set.of()));
        assertTrue(replicas.partition(b0).isEmpty(), "no longer assigned here");
        assertTrue(logs.getLog(b0).isEmpty());

        assertEquals(
                1,
                reconciler.reconcile(first, movedAway, Set.of()).topicsWalked(),
                "from a view other than the one last reconciled, every topic");
    }

    @Test
    void aTopicRecreatedUnderANewIdStartsWithAnEmptyLog() throws Exception {
        BrokerMetadata first = view(1, partition("t", "old", 0, List.of(1), 1, 0));
        reconciler.reconcile(BrokerMetadata.EMPTY, first, Set.of());
        TopicPartition tp = new TopicPartition("t", 0);
        replicas.appendRecords(
                io.ferry.replication.RequiredAcks.LEADER,
                1_000,
                Map.of(
                        tp,
                        io.ferry.record.RecordBatchBuilder.create(io.ferry.record.CompressionType.NONE)
                                .append(1, null, new byte[] {1})
                                .build()),
                r -> {});
        assertEquals(1, logs.getLog(tp).orElseThrow().logEndOffset());

        reconciler.reconcile(first, view(3, partition("t", "new", 0, List.of(1), 1, 0)), Set.of());
        assertEquals(0, logs.getLog(tp).orElseThrow().logEndOffset());
        assertFalse(replicas.partition(tp).isEmpty());
    }

    @Test
    void theViewsFencedBrokersAreRefusedAsFollowers() {
        BrokerMetadata plain = view(1, partition("t", "id", 0, List.of(1, 2, 3), 1, 0));
        BrokerMetadata fenced = new BrokerMetadata(
                2, Map.of(2, registration(2, true), 3, registration(3, false)), plain.topics(), plain.partitions());
        reconciler.reconcile(BrokerMetadata.EMPTY, fenced, Set.of());
        assertEquals(ErrorCode.BROKER_FENCED, followerFetchError(2));
        assertNull(followerFetchError(3));

        reconciler.reconcile(
                fenced,
                new BrokerMetadata(3, Map.of(2, registration(2, false)), plain.topics(), plain.partitions()),
                Set.of());
        assertNull(followerFetchError(2));
    }

    private static BrokerRegistration registration(int id, boolean fenced) {
        return BrokerRegistration.newBuilder().setBrokerId(id).setFenced(fenced).build();
    }

    private ErrorCode followerFetchError(int replicaId) {
        TopicPartition tp = new TopicPartition("t", 0);
        AtomicReference<ReplicaFetchResult> answer = new AtomicReference<>();
        replicas.fetchForFollower(
                replicaId,
                new FetchParams(0, 0, 1 << 20),
                List.of(new ReplicaFetchPartition(tp, 0, 0, -1, 1 << 20)),
                r -> answer.set(r.get(tp)));
        return answer.get().error() == null ? null : answer.get().error().code();
    }
}
