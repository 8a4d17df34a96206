package io.ferry.storage;

import static io.ferry.storage.CompactedLogs.latest;
import static io.ferry.storage.CompactedLogs.readAll;
import static io.ferry.storage.CompactedLogs.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.storage.CompactedLogs.KeyValue;
import io.ferry.storage.internal.OffsetMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Random keyed writes, overwrites and tombstones, rolls, reopens and cleaning passes (with dedupe
 * buffers small enough to fill) against a map model of each key's latest value. After every step, a
 * read from the log start has strictly increasing offsets, its last value per key is the model's, and
 * a read from any offset (gaps included) starts at the first batch holding that offset or a later one.
 * At the end, once {@code delete.retention.ms} has passed, a full pass leaves exactly one record per
 * live key, with its latest value, and no tombstone.
 */
class LogCompactionPropertyTest {

    private static final long DELETE_RETENTION_MS = 60_000;
    private static final LogConfig CONFIG = LogConfig.builder()
            .segmentBytes(700)
            .indexIntervalBytes(64)
            .segmentIndexBytes(256)
            .fileDeleteDelayMs(0)
            .cleanupPolicy(CleanupPolicy.COMPACT)
            .deleteRetentionMs(DELETE_RETENTION_MS)
            .build();

    enum Kind {
        WRITE,
        ROLL,
        CLEAN,
        REOPEN
    }

    /** One step; {@code a} and {@code b} are its random parameters. */
    record Op(Kind kind, int a, int b) {}

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Kind> kind = Arbitraries.frequency(
                Tuple.of(12, Kind.WRITE), Tuple.of(2, Kind.ROLL), Tuple.of(3, Kind.CLEAN), Tuple.of(1, Kind.REOPEN));
        return Combinators.combine(
                        kind,
                        Arbitraries.integers().between(0, 1 << 20),
                        Arbitraries.integers().between(0, 1 << 20))
                .as(Op::new);
    }

    @Property(tries = 60)
    void aCleanedLogHoldsTheLatestValueOfEveryKey(@ForAll @Size(max = 60) List<@From("op") Op> ops) throws Exception {
        Path dir = Files.createTempDirectory("ferry-compaction-model");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        ManualClock clock = new ManualClock(System.currentTimeMillis());
        Map<String, String> model = new HashMap<>();
        long[] cleanPoint = {0};
        Log log = Log.open(dir, CONFIG, 0, clock, scheduler);
        try {
            for (Op op : ops) {
                clock.advance(5);
                log = apply(op, log, model, cleanPoint, dir, clock, scheduler);
                check(log, model, op);
            }
            // Past delete.retention.ms for every segment written so far: one more key makes the
            // section dirty, and a pass with room for every key leaves only live keys, once each.
            log.appendAsLeader(
                    CompactedLogs.keyed(CompressionType.NONE, clock.millis(), List.of(new KeyValue("last", "v"))), 0);
            model.put("last", "v");
            log.roll();
            log.flush();
            clock.advance(DELETE_RETENTION_MS * 10);
            log.clean(cleanPoint[0], log.logEndOffset(), new OffsetMap(64 * 1024, 0.9));
            List<Record> records = records(readAll(log));
            Map<String, String> live = new HashMap<>(model);
            live.values().removeIf(v -> v == null);
            Set<String> seen = new HashSet<>();
            for (Record record : records) {
                String key = CompactedLogs.string(record.keyBytes());
                assertTrue(seen.add(key), "key " + key + " survives twice");
                assertTrue(record.hasValue(), "tombstone of " + key + " survives delete.retention.ms");
            }
            assertEquals(live, latest(records));
        } finally {
            log.close();
            scheduler.shutdownNow();
            deleteTree(dir);
        }
    }

    private static Log apply(
            Op op,
            Log log,
            Map<String, String> model,
            long[] cleanPoint,
            Path dir,
            ManualClock clock,
            ScheduledExecutorService scheduler)
            throws Exception {
        switch (op.kind()) {
            case WRITE -> {
                List<KeyValue> records = new ArrayList<>();
                int count = 1 + op.a() % 4;
                for (int i = 0; i < count; i++) {
                    int r = (op.a() >> (2 + 4 * i)) ^ (op.b() >> i);
                    String key = "k" + Math.floorMod(r, 12);
                    String value = Math.floorMod(r >> 4, 5) == 0 ? null : "v" + op.b() + "-" + i;
                    records.add(new KeyValue(key, value));
                    model.put(key, value);
                }
                CompressionType codec = op.b() % 3 == 0 ? CompressionType.GZIP : CompressionType.NONE;
                log.appendAsLeader(CompactedLogs.keyed(codec, clock.millis(), records), 0);
            }
            case ROLL -> log.roll();
            case CLEAN -> {
                log.flush();
                // From two keys (the map fills, the pass cleans a prefix) to room for all.
                int memory = 24 * (2 + op.a() % 20);
                CleanResult result = log.clean(cleanPoint[0], log.logEndOffset(), new OffsetMap(memory, 0.9));
                assertFalse(result.aborted());
                assertTrue(result.cleanOffset() >= cleanPoint[0]);
                cleanPoint[0] = result.cleanOffset();
            }
            case REOPEN -> {
                long recoveryPoint = log.recoveryPoint();
                log.close();
                return Log.open(dir, CONFIG, recoveryPoint, clock, scheduler);
            }
        }
        return log;
    }

    private static void check(Log log, Map<String, String> model, Op op) throws Exception {
        List<RecordBatch> batches = readAll(log);
        List<Record> records = records(batches);
        long previous = -1;
        for (Record record : records) {
            assertTrue(record.offset() > previous, "offsets go back at " + record.offset() + " after " + op);
            previous = record.offset();
        }
        assertEquals(model, latest(records), "after " + op);
        // Reads from offsets in gaps start at the next batch.
        for (long offset = log.logStartOffset(); offset < log.logEndOffset(); offset += 3) {
            RecordBatch expected = null;
            for (RecordBatch batch : batches) {
                if (batch.lastOffset() >= offset) {
                    expected = batch;
                    break;
                }
            }
            LogReadResult result = log.read(offset, 1, Long.MAX_VALUE);
            try {
                List<RecordBatch> read = TestBatches.batches(result.records());
                assertEquals(
                        expected == null ? null : expected.baseOffset(),
                        read.isEmpty() ? null : read.get(0).baseOffset(),
                        "read from " + offset);
            } finally {
                result.lease().release();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }
}
