package io.ferry.systemtests;

import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The checks after a run, with every node up and the load stopped:
 * <ol>
 *   <li>every replica catches up with its leader (bounded wait);</li>
 *   <li>consumers read each partition from 0 to the leader's high watermark, and every acknowledged
 *       record is there exactly once, at its acknowledged offset ({@link AckVerification});</li>
 *   <li>the cluster stops with SIGTERM and each partition's replicas, opened with the storage module,
 *       hold byte-identical batches up to that high watermark ({@link ReplicaLogComparison}).</li>
 * </ol>
 * Leaves the cluster stopped.
 */
final class DurabilityInvariants {

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_LISTED = 50;

    private DurabilityInvariants() {}

    /**
     * @param context printed with any failure, e.g. the seed that replays the run
     * @throws AssertionError listing every lost, duplicated or diverged record or batch
     */
    static void verify(ProcessCluster cluster, String topic, AckLedger ledger, String context)
            throws InterruptedException {
        List<String> problems = new ArrayList<>();
        try {
            cluster.awaitReplicasCaughtUp(topic, CATCH_UP_TIMEOUT);
        } catch (ConditionTimeoutException e) {
            problems.add(
                    "replicas did not catch up within " + CATCH_UP_TIMEOUT + ": " + laggingOrError(cluster, topic));
        }
        TopicDescription description =
                cluster.admin().describeTopics(List.of(topic)).get(topic);
        Map<TopicPartition, Long> highWatermarks =
                cluster.highWatermarks(topic, description.partitions().size());

        Map<Integer, PartitionContents> contents = new LinkedHashMap<>();
        highWatermarks.forEach((tp, hw) ->
                contents.put(tp.partition(), PartitionContents.read(cluster.bootstrap(), tp, hw, CONSUME_TIMEOUT)));
        problems.addAll(AckVerification.check(ledger, contents));

        cluster.stopAll();
        for (PartitionInfo p : description.partitions()) {
            TopicPartition tp = new TopicPartition(topic, p.partition());
            problems.addAll(ReplicaLogComparison.compare(
                    tp.toString(), cluster.replicaDirs(tp, p.replicas()), highWatermarks.get(tp)));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " durability violations (" + context + ", node logs in "
                    + cluster.logArchive() + ", "
                    + ledger.size() + " acknowledged records, high watermarks " + highWatermarks + "):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(MAX_LISTED, problems.size())))
                    + (problems.size() > MAX_LISTED ? "\n  ... and " + (problems.size() - MAX_LISTED) + " more" : ""));
        }
    }

    private static String laggingOrError(ProcessCluster cluster, String topic) {
        try {
            return cluster.laggingReplicas(topic).toString();
        } catch (Exception e) {
            return "(cannot read the replicas' offsets: " + e + ")";
        }
    }
}
