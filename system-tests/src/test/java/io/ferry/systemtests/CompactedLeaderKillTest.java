package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.TopicPartition;
import io.ferry.record.BatchScanner;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.ferry.storage.CleanupPolicy;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogManager;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetCheckpointFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A compacted topic on 3 brokers (RF=3, {@code min.insync.replicas=2}, acks=all) under keyed load, with
 * small segments and a cleaner that runs every 100 ms, so every replica compacts while it replicates;
 * kill -9 the leader midway and bring it back, so it copies a log the new leader has compacted, gaps and
 * all. Afterwards each replica, read from its start, must give the same latest value for every key, and
 * for every key no older value than the last one acknowledged.
 */
class CompactedLeaderKillTest {

    private static final String TOPIC = "compacted-kill";
    private static final int KEYS = 300;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int READ_BYTES = 1024 * 1024;

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyReplicaKeepsTheLatestAcknowledgedValueOfEveryKeyThroughALeaderKill() throws Exception {
        cluster = ProcessCluster.start(
                Path.of("target", "compacted-kill-" + UUID.randomUUID()).toAbsolutePath(),
                List.of("min.insync.replicas=2", "log.cleaner.backoff.ms=100"));
        cluster.admin()
                .createTopic(
                        TOPIC,
                        1,
                        3,
                        Map.of(
                                "min.insync.replicas", "2",
                                "cleanup.policy", "compact",
                                "segment.bytes", "16384",
                                "min.cleanable.dirty.ratio", "0.2"));
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int oldLeader = cluster.leader(tp);
        AckLedger ledger = new AckLedger();
        long cleanedBeforeRestart;

        try (LoadGenerator load = new LoadGenerator(
                        cluster.bootstrap(), TOPIC, 1, 2, 100_000, 800, Duration.ofMinutes(3), ledger)
                .keyed(KEYS)) {
            load.start();
            load.awaitProgress(4_000, TIMEOUT);
            await("the leader compacts before it is killed").atMost(TIMEOUT).until(() -> cleanOffset(oldLeader) > 0);

            cluster.kill(oldLeader);
            cluster.awaitLeader(tp, id -> id != oldLeader, TIMEOUT);
            load.awaitProgress(4_000, TIMEOUT);
            cleanedBeforeRestart = cluster.highWatermarks(TOPIC, 1).get(tp);

            cluster.restart(oldLeader);
            load.awaitProgress(4_000, TIMEOUT);
            System.out.println("leader " + oldLeader + " of " + tp + " killed and restarted; load: " + load.stop());
        }
        cluster.awaitReplicasCaughtUp(TOPIC, TIMEOUT);
        // Every replica, the restarted one included, cleans past what it copied after coming back.
        for (int broker : ProcessCluster.BROKER_IDS) {
            await("broker " + broker + " cleans past offset " + cleanedBeforeRestart)
                    .atMost(TIMEOUT)
                    .until(() -> cleanOffset(broker) > cleanedBeforeRestart);
        }
        long highWatermark = cluster.highWatermarks(TOPIC, 1).get(tp);
        cluster.stopAll();

        Map<Integer, Map<String, Stored>> replicas = new TreeMap<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            cluster.replicaDirs(tp, ProcessCluster.BROKER_IDS)
                    .forEach((broker, dir) -> replicas.put(broker, latestByKey(dir, highWatermark, scheduler)));
        } finally {
            scheduler.shutdownNow();
        }
        Map<String, Stored> reference = replicas.values().iterator().next();
        replicas.forEach((broker, latest) ->
                assertEquals(values(reference), values(latest), "broker " + broker + "'s latest value per key"));

        Map<String, AckLedger.Ack> lastAcked = new HashMap<>();
        for (AckLedger.Ack ack : ledger.acks()) {
            lastAcked.merge(LoadGenerator.keyOf(ack.value(), KEYS), ack, (a, b) -> a.offset() > b.offset() ? a : b);
        }
        List<String> problems = new ArrayList<>();
        lastAcked.forEach((key, ack) -> {
            Stored stored = reference.get(key);
            if (stored == null || stored.offset() < ack.offset()) {
                problems.add(key + ": acknowledged " + ack.value() + " at " + ack.offset() + ", stored " + stored);
            } else if (stored.offset() == ack.offset() && !stored.value().equals(ack.value())) {
                problems.add(key + ": acknowledged " + ack.value() + " at " + ack.offset() + ", stored " + stored);
            }
        });
        assertTrue(problems.isEmpty(), problems.size() + " keys lost their latest value: " + problems);
        assertEquals(KEYS, reference.size());
    }

    /** A key's latest record in a replica. */
    private record Stored(long offset, String value) {}

    private static Map<String, String> values(Map<String, Stored> latest) {
        Map<String, String> values = new TreeMap<>();
        latest.forEach((key, stored) -> values.put(key, stored.value()));
        return values;
    }

    /** The clean point of the topic's partition in {@code broker}'s cleaner checkpoint, 0 before any pass. */
    private long cleanOffset(int broker) throws Exception {
        Path checkpoint = cluster.node(broker).dataDir().resolve(LogManager.CLEANER_OFFSET_CHECKPOINT);
        if (!Files.exists(checkpoint)) {
            return 0;
        }
        return new OffsetCheckpointFile(checkpoint)
                .read()
                .getOrDefault(new io.ferry.storage.TopicPartition(TOPIC, 0), 0L);
    }

    /** Reads a stopped replica from its start to {@code highWatermark}: offsets strictly increase, gaps allowed. */
    private static Map<String, Stored> latestByKey(Path dir, long highWatermark, ScheduledExecutorService scheduler) {
        LogConfig compacted =
                LogConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT).build();
        Map<String, Stored> latest = new HashMap<>();
        long records = 0;
        try (Log log = Log.open(dir, compacted, 0, InstantSource.system(), scheduler)) {
            long next = log.logStartOffset();
            long previous = -1;
            while (next < highWatermark) {
                LogReadResult read = log.read(next, READ_BYTES, highWatermark);
                try {
                    if (read.isEmpty()) {
                        break;
                    }
                    BatchScanner scanner = BatchScanner.of(read.records());
                    for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
                        RecordIterator iterator = batch.records();
                        while (iterator.hasNext()) {
                            Record record = iterator.next();
                            assertTrue(
                                    record.offset() > previous,
                                    dir + ": offset " + record.offset() + " after " + previous);
                            previous = record.offset();
                            records++;
                            latest.put(
                                    new String(record.keyBytes(), StandardCharsets.UTF_8),
                                    new Stored(
                                            record.offset(), new String(record.valueBytes(), StandardCharsets.UTF_8)));
                        }
                        next = batch.nextOffset();
                    }
                } finally {
                    read.lease().release();
                }
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the replica in " + dir + ": " + e, e);
        }
        assertTrue(
                records < highWatermark,
                dir + " holds " + records + " records below " + highWatermark + ": not compacted");
        return latest;
    }
}
