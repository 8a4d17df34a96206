package io.ferry.node.cluster;

import static io.ferry.node.cluster.InProcessCluster.describe;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.PartitionInfo;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.node.FerryNode;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Gauge;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication through real nodes: 3 controllers and 3 brokers in one JVM, followers fetching over
 * gRPC, ISR changes through the controllers.
 */
class ReplicatedClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private InProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
        }
    }

    private FerryProducer producer(int retries) {
        return new FerryProducer(ProducerConfig.of(Map.of(
                "bootstrap.servers",
                cluster.bootstrapServers(),
                "acks",
                "all",
                "linger.ms",
                "1",
                "retries",
                Integer.toString(retries),
                "request.timeout.ms",
                "15000",
                "delivery.timeout.ms",
                "60000")));
    }

    /** Every record of {@code topic}-0 below the high watermark: offset → value. */
    /**
     * Partition 0 of {@code topic} from its start to at least {@code end}. A leader just elected may
     * answer a high watermark below what its predecessor had acknowledged until its followers fetch
     * again, so the end is awaited, not taken from the first answer.
     */
    private Map<Long, String> consumeAll(String topic, long end) {
        Map<Long, String> read = new HashMap<>();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (FerryConsumer consumer =
                new FerryConsumer(ConsumerConfig.of(Map.of("bootstrap.servers", cluster.bootstrapServers())))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(WAIT).until(() -> consumer.endOffsets(List.of(tp)).get(tp) >= end);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    read.put(r.offset(), new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return read;
    }

    private static double gauge(FerryNode node, String name, String topic) {
        Gauge g = node.meterRegistry().find(name).tag("topic", topic).gauge();
        return g == null ? Double.NaN : g.value();
    }

    /**
     * Until every replica's broker has applied the view that creates the topic, a producer without retries
     * (these tests' own, so that they see each refusal) can reach a leader that answers UNKNOWN_TOPIC.
     */
    private void awaitHostedByEveryReplica(FerryAdmin admin, String topic) {
        await().atMost(WAIT)
                .until(() -> describe(admin, topic, 0).replicas().stream()
                        .allMatch(id -> !Double.isNaN(
                                gauge(cluster.broker(id).orElseThrow(), "ferry.partition.log.end.offset", topic))));
    }

    @Test
    void acksAllIsAnsweredOnceEveryReplicaHoldsTheRecordsAndAllReplicasAgree() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        try (FerryAdmin admin = cluster.admin();
                FerryProducer producer = producer(0)) {
            // No replication factor given: the broker fills in its default.replication.factor (3 here).
            assertEquals(3, admin.createTopic("orders", 1, 0, Map.of()).replicationFactor());
            awaitHostedByEveryReplica(admin, "orders");
            List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sent.add(producer.send(
                        new ProducerRecord("orders", 0, null, ("order-" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(i, sent.get(i).get(30, TimeUnit.SECONDS).offset());
            }
            // Every replica ends where the leader does, and each knows the high watermark.
            await().atMost(WAIT).until(() -> {
                for (int id = 101; id <= 103; id++) {
                    FerryNode node = cluster.broker(id).orElseThrow();
                    if (gauge(node, "ferry.partition.log.end.offset", "orders") != 300
                            || gauge(node, "ferry.partition.high.watermark", "orders") != 300) {
                        return false;
                    }
                }
                return true;
            });
            Map<Long, String> read = consumeAll("orders", 300);
            assertEquals(300, read.size());
            for (long i = 0; i < 300; i++) {
                assertEquals("order-" + i, read.get(i));
            }
            assertEquals(3, describe(admin, "orders", 0).isr().size());
        }
    }

    @Test
    void acksAllIsRefusedWhenTheIsrFallsBelowMinInsyncReplicasAndAcceptedAgainAfterCatchUp() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        try (FerryAdmin admin = cluster.admin();
                FerryProducer producer = producer(0)) {
            admin.createTopic("payments", 1, 3, Map.of("min.insync.replicas", "2"));
            awaitHostedByEveryReplica(admin, "payments");
            producer.send(new ProducerRecord("payments", 0, null, "first".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
            PartitionInfo p = describe(admin, "payments", 0);
            List<Integer> followers = new ArrayList<>(p.replicas());
            followers.remove(Integer.valueOf(p.leader()));
            followers.forEach(cluster::stopBroker);
            await().atMost(WAIT)
                    .until(() -> describe(admin, "payments", 0).isr().equals(List.of(p.leader())));

            ManagedChannel channel =
                    BrokerTestSupport.channel(cluster.broker(p.leader()).orElseThrow());
            try {
                await().atMost(WAIT)
                        .until(() -> BrokerTestSupport.produce(
                                                channel, Acks.ACKS_ALL, "payments", 0, BrokerTestSupport.batch("x", 1))
                                        .getError()
                                        .getCode()
                                == ErrorCode.NOT_ENOUGH_REPLICAS);
                PartitionProduceResult refused = BrokerTestSupport.produce(
                        channel, Acks.ACKS_ALL, "payments", 0, BrokerTestSupport.batch("refused", 1));
                assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.getError().getCode());
                assertTrue(
                        refused.getError().getMessage().contains("min.insync.replicas=2"),
                        refused.getError().getMessage());
                // acks=1 keeps its meaning: the leader alone answers.
                assertEquals(
                        ErrorCode.NONE,
                        BrokerTestSupport.produce(
                                        channel,
                                        Acks.ACKS_LEADER,
                                        "payments",
                                        0,
                                        BrokerTestSupport.batch("leader-only", 1))
                                .getError()
                                .getCode());

                for (int id : followers) {
                    cluster.startBroker(id);
                }
                // The restarted followers catch up and the leader adds them back to the ISR.
                await().atMost(WAIT)
                        .until(() -> describe(admin, "payments", 0).isr().size() == 3);
                await().atMost(WAIT)
                        .until(() -> BrokerTestSupport.produce(
                                                channel,
                                                Acks.ACKS_ALL,
                                                "payments",
                                                0,
                                                BrokerTestSupport.batch("again", 1))
                                        .getError()
                                        .getCode()
                                == ErrorCode.NONE);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void controlledShutdownOfTheLeaderFailsNoAcksAllSendAndThePreferredLeaderReturns() throws Exception {
        // A session timeout far beyond the test's waits: only the controlled shutdown can move leadership here.
        cluster = new InProcessCluster(
                dir, Map.of("leader.imbalance.check.interval.seconds", "1", "broker.session.timeout.ms", "120000"));
        try (FerryAdmin admin = cluster.admin();
                FerryProducer producer = producer(10)) {
            admin.createTopic("events", 1, 3, Map.of());
            awaitHostedByEveryReplica(admin, "events");
            PartitionInfo before = describe(admin, "events", 0);
            int preferred = before.replicas().get(0);
            await().atMost(WAIT).until(() -> describe(admin, "events", 0).leader() == preferred);

            Map<String, RecordMetadata> acked = new ConcurrentHashMap<>();
            List<Throwable> failures = new ArrayList<>();
            Thread load = new Thread(() -> {
                for (int i = 0; i < 3_000 && !Thread.currentThread().isInterrupted(); i++) {
                    String value = "event-" + i;
                    try {
                        acked.put(
                                value,
                                producer.send(new ProducerRecord(
                                                "events", 0, null, value.getBytes(StandardCharsets.UTF_8)))
                                        .get(60, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }
            });
            load.start();
            await().atMost(WAIT).until(() -> acked.size() >= 200);
            cluster.stopBroker(preferred);
            // Controlled shutdown moved the leadership and took the broker out of the ISR; with a 120 s session
            // timeout nothing else could have within this wait.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                PartitionInfo now = describe(admin, "events", 0);
                return now.leader() != preferred
                        && now.leader() >= 0
                        && !now.isr().contains(preferred);
            });
            await().atMost(WAIT).until(() -> acked.size() >= 1_000);
            cluster.startBroker(preferred);
            load.join(TimeUnit.MINUTES.toMillis(3));
            assertTrue(failures.isEmpty(), "acks=all sends failed during a controlled shutdown: " + failures);
            assertEquals(3_000, acked.size());

            // Once the restarted broker is back in the ISR, the controller gives it its leadership back.
            await().atMost(WAIT).until(() -> {
                PartitionInfo now = describe(admin, "events", 0);
                return now.isr().size() == 3 && now.leader() == preferred;
            });
            long end = acked.values().stream()
                            .mapToLong(RecordMetadata::offset)
                            .max()
                            .orElse(-1)
                    + 1;
            Map<Long, String> read = consumeAll("events", end);
            Set<String> values = new HashSet<>(read.values());
            for (Map.Entry<String, RecordMetadata> e : acked.entrySet()) {
                assertEquals(
                        e.getKey(),
                        read.get(e.getValue().offset()),
                        "acknowledged offset " + e.getValue().offset());
            }
            assertTrue(values.containsAll(acked.keySet()));
        }
    }
}
