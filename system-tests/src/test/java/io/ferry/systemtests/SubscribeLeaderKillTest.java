package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RecordService.Subscribe through a broker while the partition's leader is killed with kill -9 under acks=all
 * load: the stream, which follows the leader on the client's behalf, delivers every acknowledged record exactly
 * once and in offset order, with no gap (values whose acknowledgement was lost may be delivered too, once).
 */
class SubscribeLeaderKillTest {

    private static final String TOPIC = "subscribe-leader-kill";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

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

    /** What a Subscribe stream delivered, and the error that ended it, if one did. */
    private static final class Delivered implements StreamObserver<SubscribeResponse> {
        private final List<ConsumedRecord> records = new ArrayList<>();
        private final AtomicReference<Throwable> ended = new AtomicReference<>();

        @Override
        public synchronized void onNext(SubscribeResponse response) {
            records.addAll(response.getRecordsList());
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
    }

    @Test
    void aSubscriptionDeliversEveryAcknowledgedRecordOnceInOrderAcrossALeaderKill() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("subscribe-leader-kill", TOPIC, 1);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int oldLeader = cluster.leader(tp);
        int through = ProcessCluster.BROKER_IDS.stream()
                .filter(id -> id != oldLeader)
                .findFirst()
                .orElseThrow();
        channel = Grpc.newChannelBuilder(cluster.node(through).address(), InsecureChannelCredentials.create())
                .build();
        AckLedger ledger = new AckLedger();
        Delivered delivered = new Delivered();
        try (LoadGenerator load = new LoadGenerator(cluster.bootstrap(), TOPIC, 1, 2, 50_000, 500, TIMEOUT, ledger)) {
            load.start();
            load.awaitProgress(500, TIMEOUT);
            // Subscribed once records are acknowledged: the broker, an in-sync replica, knows the topic by then.
            RecordServiceGrpc.newStub(channel)
                    .subscribe(delivered)
                    .onNext(SubscribeRequest.newBuilder()
                            .setStart(SubscribeStart.newBuilder()
                                    .setTopic(TOPIC)
                                    .setStart(StartPosition.newBuilder()
                                            .setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)))
                            .build());
            await().atMost(TIMEOUT)
                    .until(() -> delivered.ended.get() != null
                            || !delivered.records().isEmpty());
            assertNull(delivered.ended.get(), "the stream ended");
            cluster.kill(oldLeader);
            cluster.awaitLeader(tp, id -> id != oldLeader, TIMEOUT);
            load.awaitProgress(500, TIMEOUT);
            System.out.println("leader of " + tp + " killed (broker " + oldLeader + "), subscribed through broker "
                    + through + "; load: " + load.stop());
        }
        List<AckLedger.Ack> acks = ledger.acks();
        long lastAcked = acks.stream().mapToLong(AckLedger.Ack::offset).max().orElseThrow();
        await().atMost(TIMEOUT)
                .until(() -> delivered.ended.get() != null
                        || delivered.records().stream().anyMatch(r -> r.getOffset() == lastAcked));
        assertNull(delivered.ended.get(), "the stream ended");

        List<ConsumedRecord> records = delivered.records();
        Set<String> values = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i, records.get(i).getOffset(), "offsets follow each other from 0, no gap, no repeat");
            assertTrue(
                    values.add(records.get(i).getValue().toStringUtf8()), "value delivered twice: " + records.get(i));
        }
        for (AckLedger.Ack ack : acks) {
            ConsumedRecord at = records.get((int) ack.offset());
            assertEquals(ack.value(), at.getValue().toStringUtf8(), "the acknowledged value at offset " + ack.offset());
        }
    }
}
