package io.ferry.node.cluster;

import static io.ferry.node.cluster.InProcessCluster.describe;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.node.broker.TestSubscriber;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeStart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Subscribe through a broker other than the leader: reads forwarded to leaders, and leader changes followed. */
class SubscribeClusterTest {

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

    private FerryProducer producer() {
        return new FerryProducer(ProducerConfig.of(Map.of(
                "bootstrap.servers",
                cluster.bootstrapServers(),
                "acks",
                "all",
                "linger.ms",
                "1",
                "request.timeout.ms",
                "15000",
                "delivery.timeout.ms",
                "60000")));
    }

    private static SubscribeStart earliest(String topic) {
        return SubscribeStart.newBuilder()
                .setTopic(topic)
                .setStart(StartPosition.newBuilder().setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST))
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBrokerThatLeadsNothingDeliversEveryRecordOfEveryPartitionInOffsetOrder() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        int bystander;
        try (FerryAdmin admin = cluster.admin();
                FerryProducer producer = producer()) {
            admin.createTopic("spread", 2, 0, Map.of());
            await().atMost(WAIT)
                    .until(() -> describe(admin, "spread", 0).leader() >= 0
                            && describe(admin, "spread", 1).leader() >= 0);
            List<Integer> leaders = List.of(
                    describe(admin, "spread", 0).leader(),
                    describe(admin, "spread", 1).leader());
            bystander = List.of(101, 102, 103).stream()
                    .filter(id -> !leaders.contains(id))
                    .findFirst()
                    .orElseThrow();
            List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                for (int p = 0; p < 2; p++) {
                    sent.add(producer.send(new ProducerRecord("spread", p, null, bytes("p" + p + "-" + i))));
                }
            }
            for (CompletableFuture<RecordMetadata> s : sent) {
                s.get(30, TimeUnit.SECONDS);
            }
        }
        TestSubscriber subscriber = TestSubscriber.open(cluster.channelTo(bystander), earliest("spread"));
        await().atMost(WAIT).until(() -> subscriber.records().size() >= 100);
        for (int p = 0; p < 2; p++) {
            int partition = p;
            List<String> delivered = subscriber.records().stream()
                    .filter(r -> r.getPartition() == partition)
                    .map(r -> r.getOffset() + ":" + r.getValue().toStringUtf8())
                    .toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add(i + ":p" + p + "-" + i);
            }
            assertEquals(expected, delivered, "partition " + p);
        }
        assertEquals(100, subscriber.records().size());
        subscriber.cancel();
    }

    @Test
    void deliveryContinuesAcrossALeaderChangeWithNoGapAndNoRepeat() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        Map<Long, String> acked = new TreeMap<>();
        TestSubscriber subscriber;
        try (FerryAdmin admin = cluster.admin();
                FerryProducer producer = producer()) {
            admin.createTopic("moving", 1, 0, Map.of());
            await().atMost(WAIT).until(() -> describe(admin, "moving", 0).isr().size() == 3);
            int leader = describe(admin, "moving", 0).leader();
            int through = describe(admin, "moving", 0).replicas().stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            subscriber = TestSubscriber.open(cluster.channelTo(through), earliest("moving"));
            produce(producer, 0, 200, acked);
            await().atMost(WAIT).until(() -> subscriber.records().size() >= 100);
            cluster.stopBroker(leader);
            produce(producer, 200, 400, acked);
            await().atMost(WAIT).until(() -> describe(admin, "moving", 0).leader() != leader);
        }
        await().atMost(WAIT).until(() -> subscriber.records().size() >= acked.size());
        List<ConsumedRecord> delivered = subscriber.records();
        Map<Long, String> received = new TreeMap<>();
        for (int i = 0; i < delivered.size(); i++) {
            assertEquals(i, delivered.get(i).getOffset(), "offsets follow each other with no gap or repeat");
            received.put(
                    delivered.get(i).getOffset(), delivered.get(i).getValue().toStringUtf8());
        }
        assertEquals(acked, received);
        assertTrue(subscriber.ended().getNow(null) == null, "the stream is still open");
        subscriber.cancel();
    }

    private static void produce(FerryProducer producer, int from, int to, Map<Long, String> acked) throws Exception {
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sent.add(producer.send(new ProducerRecord("moving", 0, null, bytes("r" + i))));
        }
        for (int i = from; i < to; i++) {
            acked.put(sent.get(i - from).get(60, TimeUnit.SECONDS).offset(), "r" + i);
        }
    }
}
