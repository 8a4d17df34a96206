package io.ferry.node.cluster;

import static io.ferry.node.cluster.InProcessCluster.describe;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.node.broker.TestSubscriber;
import io.ferry.proto.v1.CommitResult;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group Subscribe stream through a broker that is not its group's coordinator: it shares the group with a Java
 * consumer, and its membership and commits outlive the coordinator.
 */
class GroupSubscribeClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String GROUP = "mixed";
    private static final String TOPIC = "work";

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
        return new FerryProducer(ProducerConfig.of(
                Map.of("bootstrap.servers", cluster.bootstrapServers(), "acks", "all", "linger.ms", "1")));
    }

    private void produce(int from, int to) throws Exception {
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        try (FerryProducer producer = producer()) {
            for (int i = from; i < to; i++) {
                for (int p = 0; p < 2; p++) {
                    sent.add(producer.send(
                            new ProducerRecord(TOPIC, p, null, ("p" + p + "-" + i).getBytes(StandardCharsets.UTF_8))));
                }
            }
            for (CompletableFuture<RecordMetadata> s : sent) {
                s.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private int coordinator(ManagedChannel via) {
        FindCoordinatorResponse[] found = new FindCoordinatorResponse[1];
        await().atMost(WAIT).until(() -> {
            found[0] = GroupServiceGrpc.newBlockingStub(via)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .findCoordinator(FindCoordinatorRequest.newBuilder()
                            .setGroupId(GROUP)
                            .build());
            return found[0].getError().getCode() == ErrorCode.NONE;
        });
        return found[0].getNodeId();
    }

    /** The next offset to consume of each partition, after what {@code records} hold. */
    private static Map<Integer, Long> nextOffsets(List<ConsumedRecord> records) {
        Map<Integer, Long> next = new HashMap<>();
        records.forEach(r -> next.merge(r.getPartition(), r.getOffset() + 1, Math::max));
        return next;
    }

    @Test
    void aStreamSharesItsGroupWithAJavaConsumerAndKeepsItsCommitsAcrossACoordinatorStop() throws Exception {
        cluster = new InProcessCluster(
                dir, Map.of("offsets.topic.num.partitions", "3", "group.consumer.heartbeat.interval.ms", "500"));
        try (FerryAdmin admin = cluster.admin()) {
            admin.createTopic(TOPIC, 2, 3, Map.of());
            await().atMost(WAIT)
                    .until(() -> describe(admin, TOPIC, 0).isr().size() == 3
                            && describe(admin, TOPIC, 1).isr().size() == 3);
        }
        produce(0, 20);
        int coordinator = coordinator(cluster.channelTo(101));
        int through = coordinator == 101 ? 102 : 101;
        TestSubscriber stream = TestSubscriber.open(
                cluster.channelTo(through),
                SubscribeStart.newBuilder()
                        .setTopic(TOPIC)
                        .setGroupId(GROUP)
                        .setStart(StartPosition.newBuilder().setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST))
                        .build());
        await().atMost(WAIT).until(() -> stream.assigned().size() == 2);

        // A Java consumer joins the same group: the coordinator gives it one of the stream's partitions.
        try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of(
                "bootstrap.servers",
                cluster.bootstrapServers(),
                "group.id",
                GROUP,
                "auto.offset.reset",
                "earliest")))) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 1 && stream.assigned().size() == 1;
            });
            int streams = stream.assigned().get(0);
            assertNotEquals(streams, consumer.assignment().iterator().next().partition());
        }
        // The consumer left: the stream has both partitions again, and every record of them.
        await().atMost(WAIT).until(() -> stream.assigned().size() == 2);
        await().atMost(WAIT).until(() -> nextOffsets(stream.records()).equals(Map.of(0, 20L, 1, 20L)));

        stream.commit(1, Map.of(0, 20L, 1, 20L));
        await().atMost(WAIT).until(() -> stream.commits().size() == 1);
        CommitResult first = stream.commits().get(0);
        first.getPartitionsList().forEach(p -> assertFalse(p.hasError(), first.toString()));

        // The coordinator stops; the stream finds the group on the next one and goes on delivering.
        cluster.stopBroker(coordinator);
        produce(20, 30);
        await().atMost(WAIT).until(() -> nextOffsets(stream.records()).equals(Map.of(0, 30L, 1, 30L)));
        await().atMost(WAIT).until(() -> stream.assigned().size() == 2);
        assertFalse(stream.ended().isDone(), "the stream is still open");

        // Its commits reach the new coordinator, which has the ones made before the stop.
        int next = coordinator(cluster.channelTo(through));
        assertNotEquals(coordinator, next);
        try (FerryConsumer reader = new FerryConsumer(
                ConsumerConfig.of(Map.of("bootstrap.servers", cluster.bootstrapServers(), "group.id", GROUP)))) {
            Map<Integer, Long> committed = new HashMap<>();
            reader.committed(Set.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1)))
                    .forEach((tp, o) -> committed.put(tp.partition(), o.offset()));
            assertEquals(Map.of(0, 20L, 1, 20L), committed);
        }
        stream.commit(2, Map.of(0, 30L, 1, 30L));
        await().atMost(WAIT).until(() -> stream.commits().size() == 2);
        CommitResult second = stream.commits().get(1);
        second.getPartitionsList().forEach(p -> assertFalse(p.hasError(), second.toString()));
        stream.cancel();
    }
}
