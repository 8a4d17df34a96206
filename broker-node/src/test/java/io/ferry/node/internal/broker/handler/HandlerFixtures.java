package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.MemoryBudget;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
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
import io.ferry.replication.Timer;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A replica manager of broker 1 with no peers, and metadata views, for the request handlers' tests. */
final class HandlerFixtures {

    private HandlerFixtures() {}

    static ReplicaManager replicaManager(Function<TopicPartition, ReplicaLog> logs) {
        return replicaManager(logs, (delayMs, task) -> () -> {});
    }

    /** As {@link #replicaManager(Function)}, with {@code timer} running delayed requests' timeouts. */
    static ReplicaManager replicaManager(Function<TopicPartition, ReplicaLog> logs, Timer timer) {
        return new ReplicaManager(
                1,
                new ReplicaLogs() {
                    @Override
                    public ReplicaLog open(TopicPartition tp) {
                        return logs.apply(tp);
                    }

                    @Override
                    public void delete(TopicPartition tp) {}
                },
                topic -> 1,
                new ReplicationConfig(30_000, 500, 1, 1 << 20, 1 << 20, 100, 5_000),
                new ReplicaManager.Environment(
                        timer,
                        InstantSource.system(),
                        (leader, replica, params, partitions, full, timeout) ->
                                CompletableFuture.failedFuture(new IOException("no leader in this test")),
                        (tp, leaderEpoch, partitionEpoch, isr) ->
                                CompletableFuture.failedFuture(new IOException("no controller in this test")),
                        ReplicationListener.NONE,
                        name -> Executors.newSingleThreadExecutor()));
    }

    /** A fetch call's share of a fetch memory with room for anything, for tests not about memory. */
    static FetchMemory.Call plentyOfMemory() {
        return plentyOfRoom().open("a connection");
    }

    /** A fetch memory with room for anything. */
    static FetchMemory plentyOfRoom() {
        Timer never = (delayMs, task) -> () -> {};
        return new FetchMemory(
                new MemoryBudget(1L << 40, 1L << 40, never), new MemoryBudget(1L << 40, 1L << 40, never));
    }

    static BrokerRegistration broker(int id) {
        return BrokerRegistration.newBuilder()
                .setBrokerId(id)
                .addEndpoints(Endpoint.newBuilder()
                        .setName(CallerEndpoints.INTERNAL)
                        .setHost("broker-" + id)
                        .setPort(9092))
                .addEndpoints(external(id))
                .build();
    }

    static Endpoint external(int id) {
        return Endpoint.newBuilder()
                .setName(CallerEndpoints.EXTERNAL)
                .setHost("127.0.0.1")
                .setPort(9091 + id)
                .build();
    }

    /** A view in which broker 2 leads {@code tp} at leader epoch 2; both brokers have both listeners. */
    static BrokerMetadata ledByBroker2(TopicPartition tp) {
        return new BrokerMetadata(
                2,
                Map.of(1, broker(1), 2, broker(2)),
                Map.of(
                        tp.topic(),
                        TopicRecord.newBuilder()
                                .setName(tp.topic())
                                .setTopicId("id-" + tp.topic())
                                .setPartitionCount(tp.partition() + 1)
                                .build()),
                Map.of(
                        tp.topic(),
                        Map.of(
                                tp.partition(),
                                PartitionRecord.newBuilder()
                                        .setTopic(tp.topic())
                                        .setTopicId("id-" + tp.topic())
                                        .setPartition(tp.partition())
                                        .addAllReplicas(List.of(1, 2))
                                        .addIsr(2)
                                        .setLeader(2)
                                        .setLeaderEpoch(2)
                                        .setPartitionEpoch(2)
                                        .build())));
    }

    /** A view in which broker 1 leads partitions 0 to {@code count - 1} of {@code topic}. */
    static BrokerMetadata ledByBroker1(String topic, int count) {
        Map<Integer, PartitionRecord> partitions = new HashMap<>();
        for (int p = 0; p < count; p++) {
            partitions.put(
                    p,
                    PartitionRecord.newBuilder()
                            .setTopic(topic)
                            .setTopicId("id-" + topic)
                            .setPartition(p)
                            .addReplicas(1)
                            .addIsr(1)
                            .setLeader(1)
                            .setLeaderEpoch(1)
                            .setPartitionEpoch(1)
                            .build());
        }
        return new BrokerMetadata(
                1,
                Map.of(1, broker(1)),
                Map.of(
                        topic,
                        TopicRecord.newBuilder()
                                .setName(topic)
                                .setTopicId("id-" + topic)
                                .setPartitionCount(count)
                                .build()),
                Map.of(topic, partitions));
    }

    /**
     * Broker 1 leading {@code t-0} (and more partitions of {@code t} when asked) over real logs, with
     * broker 2 in the ISR but never fetching, so an acks=all produce or a long-poll fetch waits until
     * {@link #moveLeadershipToBroker2()}; or alone in the ISR, so what it appends is committed at once.
     */
    static final class LeaderOfT0 implements AutoCloseable {
        final TopicPartition tp = new TopicPartition("t", 0);
        final ReplicaManager replicas;
        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        /** Opened by the replica manager on this thread, in the constructor. */
        private final List<Log> logs = new ArrayList<>();

        LeaderOfT0(Path dir) {
            this(dir, 1, List.of(1, 2));
        }

        private LeaderOfT0(Path dir, int partitions, List<Integer> isr) {
            replicas = replicaManager(
                    opened -> {
                        Log log = Log.open(
                                dir.resolve(opened.toString()),
                                LogConfig.defaults(),
                                0,
                                InstantSource.system(),
                                scheduler);
                        logs.add(log);
                        return ReplicaLog.of(log, failure -> {});
                    },
                    (delayMs, task) -> {
                        ScheduledFuture<?> scheduled = scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
                        return () -> scheduled.cancel(false);
                    });
            for (int p = 0; p < partitions; p++) {
                replicas.applyPartitionState(new TopicPartition("t", p), new LeaderAndIsr(1, 1, 1, List.of(1, 2), isr));
            }
        }

        /** Broker 1 alone in the ISR of {@code t-0}. */
        static LeaderOfT0 alone(Path dir) {
            return alone(dir, 1);
        }

        /** Broker 1 alone in the ISR of {@code t-0} to {@code t-(partitions - 1)}. */
        static LeaderOfT0 alone(Path dir, int partitions) {
            return new LeaderOfT0(dir, partitions, List.of(1));
        }

        /** Appends {@code batches} to {@code t-0} as leader (acks=1). */
        void append(ByteBuffer batches) throws Exception {
            append(0, batches);
        }

        /** Appends {@code batches} to {@code t-partition} as leader (acks=1). */
        void append(int partition, ByteBuffer batches) throws Exception {
            TopicPartition target = new TopicPartition("t", partition);
            ByteBuffer direct = ByteBuffer.allocateDirect(batches.remaining())
                    .put(batches.duplicate())
                    .flip();
            CompletableFuture<Map<TopicPartition, ProduceOutcome>> done = new CompletableFuture<>();
            replicas.appendRecords(RequiredAcks.LEADER, 1_000, Map.of(target, direct), done::complete);
            PartitionError error = done.get(10, TimeUnit.SECONDS).get(target).error();
            if (error != null) {
                throw new AssertionError("append failed: " + error);
            }
        }

        /** As a metadata update would, on a thread of its own: what was waiting is answered there. */
        void moveLeadershipToBroker2() throws Exception {
            CompletableFuture.runAsync(() ->
                            replicas.applyPartitionState(tp, new LeaderAndIsr(2, 2, 2, List.of(1, 2), List.of(2))))
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            replicas.close();
            logs.forEach(Log::close);
            scheduler.shutdownNow();
        }
    }
}
