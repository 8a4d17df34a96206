package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * LeaderKillTest for RecordService: an acks=all PublishStream, sent to a broker that does not lead the
 * partition (it forwards), while the leader is killed with SIGKILL. Every error the publisher sees is typed and
 * retriable (UNAVAILABLE: grpc code 14, retriable=true), the stream goes on, and once the killed broker is back
 * every record answered with an offset is in the log there, once ({@link DurabilityInvariants}).
 */
class PublishStreamLeaderKillTest {

    private static final String TOPIC = "publish-kill";
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    private static final int UNAVAILABLE = 14;

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void errorsDuringALeaderKillAreRetriableAndNoAcknowledgedRecordIsLost() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("publish-kill", TOPIC, 1);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int oldLeader = cluster.leader(tp);
        int via = ProcessCluster.BROKER_IDS.stream()
                .filter(id -> id != oldLeader)
                .findFirst()
                .orElseThrow();
        AckLedger ledger = new AckLedger();
        List<PublishStreamLoad.SeenError> errors;
        try (PublishStreamLoad load = new PublishStreamLoad(cluster.node(via).address(), TOPIC, ledger)) {
            load.awaitServed(PROGRESS_TIMEOUT);
            load.start();
            await().atMost(PROGRESS_TIMEOUT).until(() -> ledger.size() >= 500);

            cluster.kill(oldLeader);
            int newLeader = cluster.awaitLeader(tp, id -> id != oldLeader, PROGRESS_TIMEOUT);
            int beforeFailover = ledger.size();
            await().atMost(PROGRESS_TIMEOUT).until(() -> ledger.size() >= beforeFailover + 500);
            load.stop();
            errors = load.errors();
            System.out.println("leader of " + tp + " moved from broker " + oldLeader + " to " + newLeader + "; "
                    + load.requestsSent() + " requests through broker " + via + ", " + ledger.size()
                    + " records acknowledged, " + errors.size() + " errors: "
                    + errors.stream()
                            .map(PublishStreamLoad.SeenError::reason)
                            .distinct()
                            .toList());
        }
        List<PublishStreamLoad.SeenError> untyped = errors.stream()
                .filter(e -> e.grpcCode() != UNAVAILABLE || !e.retriable())
                .toList();
        assertEquals(List.of(), untyped, "errors that are not typed retriable");

        cluster.restart(oldLeader);
        DurabilityInvariants.verify(cluster, TOPIC, ledger, "leader " + oldLeader + " of " + tp + " killed");
    }
}
