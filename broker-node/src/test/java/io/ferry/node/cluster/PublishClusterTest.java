package io.ferry.node.cluster;

import static io.ferry.node.broker.PublishTestSupport.assertRefused;
import static io.ferry.node.broker.PublishTestSupport.keyed;
import static io.ferry.node.broker.PublishTestSupport.publish;
import static io.ferry.node.broker.PublishTestSupport.request;
import static io.ferry.node.broker.PublishTestSupport.value;
import static io.ferry.node.cluster.InProcessCluster.describe;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.rpc.ErrorInfo;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.PartitionInfo;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.PublishResult;
import io.ferry.proto.v1.TopicMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** RecordService Publish through any of three brokers: records land on each partition's leader. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublishClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private InProcessCluster cluster;
    private FerryAdmin admin;
    private final Map<Integer, ManagedChannel> channels = new TreeMap<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        admin = cluster.admin();
    }

    @AfterAll
    void stop() throws Exception {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        admin.close();
        cluster.close();
        assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
    }

    private ManagedChannel channel(int brokerId) {
        return channels.computeIfAbsent(
                brokerId, id -> BrokerTestSupport.channel(cluster.broker(id).orElseThrow()));
    }

    /** Until every broker's metadata view has a leader for each partition and each leader serves its partition. */
    private void awaitLeadersEverywhere(String topic, int partitions) {
        for (int id = 101; id <= 103; id++) {
            int broker = id;
            await().atMost(WAIT).until(() -> {
                TopicMetadata known = BrokerServiceGrpc.newBlockingStub(channel(broker))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .metadata(MetadataRequest.newBuilder().addTopics(topic).build())
                        .getTopics(0);
                return known.getError().getCode() == ErrorCode.NONE
                        && known.getPartitionsCount() == partitions
                        && known.getPartitionsList().stream().allMatch(p -> p.getLeader() >= 0);
            });
        }
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            int leader = describe(admin, topic, partition).leader();
            await().atMost(WAIT)
                    .until(() -> BrokerTestSupport.listOffset(channel(leader), topic, partition, -1)
                                    .getError()
                                    .getCode()
                            == ErrorCode.NONE);
        }
    }

    @Test
    void publishedToAFollowerOrToABrokerThatLeadsNothingLandsOnTheLeader() throws Exception {
        admin.createTopic("forwarded", 1, 2, Map.of());
        awaitLeadersEverywhere("forwarded", 1);
        Placement partition = Placement.of(describe(admin, "forwarded", 0));
        int follower = partition.follower();
        int outsider = partition.outsider();

        PublishResponse viaFollower =
                publish(channel(follower), request("forwarded", Acks.ACKS_ALL, value("f0"), value("f1")));
        PublishResponse viaOutsider = publish(channel(outsider), request("forwarded", Acks.ACKS_LEADER, value("o0")));
        PublishResponse viaLeader =
                publish(channel(partition.leader()), request("forwarded", Acks.ACKS_ALL, value("l0")));
        assertEquals(List.of(0L, 1L), offsets(viaFollower));
        assertEquals(List.of(2L), offsets(viaOutsider));
        assertEquals(List.of(3L), offsets(viaLeader));
        await().atMost(WAIT)
                .until(() -> BrokerTestSupport.readAll(channel(partition.leader()), "forwarded", 0, 0)
                        .equals(List.of("0:f0", "1:f1", "2:o0", "3:l0")));
    }

    @Test
    void keyedRecordsLandOnThePartitionTheJavaClientPicksForTheKey() throws Exception {
        admin.createTopic("by-key", 6, 1, Map.of("min.insync.replicas", "1"));
        awaitLeadersEverywhere("by-key", 6);
        List<PublishRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(keyed("key-" + i, "published-" + i));
        }
        PublishResponse published =
                publish(channel(101), request("by-key", Acks.ACKS_ALL, records.toArray(PublishRecord[]::new)));
        Map<String, String> whereJavaSent = new HashMap<>();
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(
                Map.of("bootstrap.servers", cluster.bootstrapServers(), "acks", "all", "linger.ms", "1")))) {
            for (int i = 0; i < 60; i++) {
                int partition = producer.send(new ProducerRecord(
                                "by-key",
                                ("key-" + i).getBytes(StandardCharsets.UTF_8),
                                ("java-" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS)
                        .partition();
                PublishResult result = published.getResults(i);
                assertFalse(result.hasError(), result.toString());
                assertEquals(partition, result.getPartition(), "key-" + i);
                whereJavaSent.put(partition + ":" + result.getOffset(), "published-" + i);
            }
        }
        // Every published record is at the partition and offset its result names.
        Map<String, String> read = new HashMap<>();
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            all.add(new TopicPartition("by-key", p));
        }
        try (FerryConsumer consumer =
                new FerryConsumer(ConsumerConfig.of(Map.of("bootstrap.servers", cluster.bootstrapServers())))) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read.size() < 120 && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    read.put(r.partition() + ":" + r.offset(), new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        whereJavaSent.forEach((at, value) -> assertEquals(value, read.get(at), at));
    }

    @Test
    void acksAllBelowMinInsyncReplicasIsATypedRetriableRefusalThroughAForwardingBroker() throws Exception {
        admin.createTopic("too-few", 1, 2, Map.of("min.insync.replicas", "2"));
        awaitLeadersEverywhere("too-few", 1);
        Placement partition = Placement.of(describe(admin, "too-few", 0));
        int follower = partition.follower();
        int outsider = partition.outsider();
        ManagedChannel via = channel(outsider);
        assertEquals(List.of(0L), offsets(publish(via, request("too-few", Acks.ACKS_ALL, value("both")))));

        channels.remove(follower).shutdownNow();
        cluster.stopBroker(follower);
        try {
            await().atMost(WAIT).until(() -> describe(admin, "too-few", 0).isr().equals(List.of(partition.leader())));
            await().atMost(WAIT).untilAsserted(() -> {
                ErrorInfo refused = assertRefused(
                        via,
                        request("too-few", Acks.ACKS_ALL, value("refused")),
                        Status.Code.UNAVAILABLE,
                        ErrorCode.NOT_ENOUGH_REPLICAS.name());
                assertEquals("true", refused.getMetadataOrThrow("retriable"));
            });
            // acks=1 needs the leader alone; acks=0 is appended with no offset promised.
            assertFalse(publish(via, request("too-few", Acks.ACKS_LEADER, value("leader-only")))
                    .getResults(0)
                    .hasError());
            PublishResponse none = publish(via, request("too-few", Acks.ACKS_NONE, value("no-ack")));
            assertEquals(List.of(-1L), offsets(none));
            // Refused records were never appended.
            await().atMost(WAIT)
                    .until(() -> BrokerTestSupport.readAll(channel(partition.leader()), "too-few", 0, 0)
                            .equals(List.of("0:both", "1:leader-only", "2:no-ack")));
        } finally {
            // Back for the other tests; they wait for leaders themselves.
            cluster.startBroker(follower);
        }
    }

    /** Where an RF=2 partition is: its leader, its follower, and the broker holding no replica of it. */
    private record Placement(int leader, int follower, int outsider) {
        static Placement of(PartitionInfo partition) {
            int follower = partition.replicas().stream()
                    .filter(id -> id != partition.leader())
                    .findFirst()
                    .orElseThrow();
            int outsider = List.of(101, 102, 103).stream()
                    .filter(id -> !partition.replicas().contains(id))
                    .findFirst()
                    .orElseThrow();
            return new Placement(partition.leader(), follower, outsider);
        }
    }

    private static List<Long> offsets(PublishResponse response) {
        return response.getResultsList().stream().map(PublishResult::getOffset).toList();
    }
}
