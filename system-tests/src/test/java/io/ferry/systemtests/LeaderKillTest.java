package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka's replication test in its smallest form: 3 controllers and 3 brokers as processes, a topic
 * with replication factor 3 and {@code min.insync.replicas=2}, {@code acks=all} producers running;
 * kill -9 the leader of a partition. The partition must take writes again on another broker, and once
 * the killed broker is back every acknowledged record must be in place exactly once and the three
 * replicas byte-identical ({@link DurabilityInvariants}). Meanwhile the partition's end offset, asked for
 * every few milliseconds, never steps back ({@link EndOffsetWatch}).
 *
 * <p>The brokers' session is longer than the test waits for the new leader: the controller must find the killed
 * broker gone by probing its port ({@code broker.liveness.probe.after.ms}), not by its session running out.
 */
class LeaderKillTest {

    private static final String TOPIC = "leader-kill";
    private static final int PARTITIONS = 3;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
    /** Twice the failover timeout: a leader that moves in time was not moved by session expiry. */
    private static final String SESSION = "broker.session.timeout.ms=" + 2 * FAILOVER_TIMEOUT.toMillis();

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acknowledgedRecordsSurviveKillingThePartitionLeader() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("leader-kill", TOPIC, PARTITIONS, List.of(SESSION));
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int oldLeader = cluster.leader(tp);
        AckLedger ledger = new AckLedger();

        List<String> stepsBack;
        long answers;
        try (LoadGenerator load = new LoadGenerator(
                        cluster.bootstrap(), TOPIC, PARTITIONS, 2, 200_000, 500, Duration.ofMinutes(3), ledger);
                EndOffsetWatch watch = new EndOffsetWatch(cluster.bootstrap(), tp, Duration.ofMinutes(3))) {
            load.start();
            load.awaitProgress(500, Duration.ofSeconds(60));

            cluster.kill(oldLeader);
            int newLeader = cluster.awaitLeader(tp, id -> id != oldLeader, FAILOVER_TIMEOUT);
            RecordMetadata written = WriteProbe.awaitWritable(cluster.bootstrap(), tp, ledger, FAILOVER_TIMEOUT);
            assertNotEquals(oldLeader, cluster.partition(tp).leader(), "written through " + written);
            load.awaitProgress(500, FAILOVER_TIMEOUT);

            cluster.restart(oldLeader);
            load.awaitProgress(500, FAILOVER_TIMEOUT);
            System.out.println("leader of " + tp + " moved from broker " + oldLeader + " to " + newLeader + "; load: "
                    + load.stop() + "; end offset asked " + watch.answers() + " times");
            stepsBack = watch.stepsBack();
            answers = watch.answers();
        }
        assertTrue(answers > 0, "the end offset was never answered, so nothing was watched");
        assertEquals(List.of(), stepsBack, "the end offset of " + tp + " stepped back");
        DurabilityInvariants.verify(cluster, TOPIC, ledger, "leader " + oldLeader + " of " + tp + " killed");
    }
}
