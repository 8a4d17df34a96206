package io.ferry.node.internal.broker;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ProduceOutcome;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationConfig;
import io.ferry.replication.ReplicationListener;
import io.ferry.replication.RequiredAcks;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A replica manager of broker 1 with no peers, and metadata views, for the request handlers' tests. */
final class HandlerFixtures {

    private HandlerFixtures() {
    }

    static ReplicaManager replicaManager(Function<TopicPartition, ReplicaLog> logs) {
        return new ReplicaManager(1, new ReplicaLogs() {
            @Override
            public ReplicaLog open(TopicPartition tp) {
                return logs.apply(tp);
            }

            @Override
            public void delete(TopicPartition tp) {
            }
        }, topic -> 1, new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment((delayMs, task) -> () -> { }, InstantSource.system(),
                        (leader, replica, params, partitions, timeout) -> CompletableFuture.failedFuture(
                                new IOException("no leader in this test")),
                        (tp, leaderEpoch, partitionEpoch, isr) -> CompletableFuture.failedFuture(
                                new IOException("no controller in this test")),
                        ReplicationListener.NONE));
    }

    static BrokerRegistration broker(int id) {
        return BrokerRegistration.newBuilder().setBrokerId(id)
                .addEndpoints(Endpoint.newBuilder().setName(CallerEndpoints.INTERNAL).setHost("broker-" + id).setPort(9092))
                .addEndpoints(external(id)).build();
    }

    static Endpoint external(int id) {
        return Endpoint.newBuilder().setName(CallerEndpoints.EXTERNAL).setHost("127.0.0.1").setPort(9091 + id).build();
    }

    /** A view in which broker 2 leads {@code tp} at leader epoch 2; both brokers have both listeners. */
    static BrokerMetadata ledByBroker2(TopicPartition tp) {
        return new BrokerMetadata(2, Map.of(1, broker(1), 2, broker(2)),
                Map.of(tp.topic(), TopicRecord.newBuilder().setName(tp.topic()).setTopicId("id-" + tp.topic())
                        .setPartitionCount(tp.partition() + 1).build()),
                Map.of(tp.topic(), Map.of(tp.partition(), PartitionRecord.newBuilder().setTopic(tp.topic())
                        .setTopicId("id-" + tp.topic()).setPartition(tp.partition()).addAllReplicas(List.of(1, 2))
                        .addIsr(2).setLeader(2).setLeaderEpoch(2).setPartitionEpoch(2).build())));
    }

    /**
     * Broker 1 leading {@code t-0} over a real log, with broker 2 in the ISR but never fetching, so an
     * acks=all produce or a long-poll fetch waits until {@link #moveLeadershipToBroker2()}.
     */
    static final class LeaderOfT0 implements AutoCloseable {
        final TopicPartition tp = new TopicPartition("t", 0);
        final ReplicaManager replicas;
        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        private final Log log;

        LeaderOfT0(Path dir) {
            this(dir, List.of(1, 2));
        }

        private LeaderOfT0(Path dir, List<Integer> isr) {
            log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), 0, InstantSource.system(), scheduler);
            replicas = replicaManager(opened -> ReplicaLog.of(log));
            replicas.applyPartitionState(tp, new LeaderAndIsr(1, 1, 1, List.of(1, 2), isr));
        }

        /** Broker 1 alone in the ISR: what it appends is committed at once, so consumers read it. */
        static LeaderOfT0 alone(Path dir) {
            return new LeaderOfT0(dir, List.of(1));
        }

        /** Appends {@code batches} as leader (acks=1). */
        void append(ByteBuffer batches) throws Exception {
            ByteBuffer direct = ByteBuffer.allocateDirect(batches.remaining()).put(batches.duplicate()).flip();
            CompletableFuture<Map<TopicPartition, ProduceOutcome>> done = new CompletableFuture<>();
            replicas.appendRecords(RequiredAcks.LEADER, 1_000, Map.of(tp, direct), done::complete);
            PartitionError error = done.get(10, TimeUnit.SECONDS).get(tp).error();
            if (error != null) {
                throw new AssertionError("append failed: " + error);
            }
        }

        /** As a metadata update would, on a thread of its own: what was waiting is answered there. */
        void moveLeadershipToBroker2() throws Exception {
            CompletableFuture.runAsync(() -> replicas.applyPartitionState(tp,
                    new LeaderAndIsr(2, 2, 2, List.of(1, 2), List.of(2)))).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            replicas.close();
            log.close();
            scheduler.shutdownNow();
        }
    }
}
