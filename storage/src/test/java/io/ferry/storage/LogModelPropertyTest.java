package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.RecordBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of appends, reads, truncations, rolls and reopens (clean, and crashed with a torn
 * write after the log end) against a model: the list of batches the log must hold.
 */
class LogModelPropertyTest {

    private static final LogConfig CONFIG = LogConfig.builder()
            .segmentBytes(600)
            .indexIntervalBytes(64)
            .segmentIndexBytes(64)
            .fileDeleteDelayMs(0)
            .build();

    enum Kind {
        APPEND,
        APPEND_NEW_EPOCH,
        READ,
        TRUNCATE,
        TRUNCATE_FULLY,
        ROLL,
        REOPEN_CLEAN,
        REOPEN_CRASHED
    }

    /** One step; {@code a} and {@code b} are its random parameters. */
    record Op(Kind kind, int a, int b) {}

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Kind> kind = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(10, Kind.APPEND), net.jqwik.api.Tuple.of(2, Kind.APPEND_NEW_EPOCH),
                net.jqwik.api.Tuple.of(4, Kind.READ), net.jqwik.api.Tuple.of(2, Kind.TRUNCATE),
                net.jqwik.api.Tuple.of(1, Kind.TRUNCATE_FULLY), net.jqwik.api.Tuple.of(1, Kind.ROLL),
                net.jqwik.api.Tuple.of(1, Kind.REOPEN_CLEAN), net.jqwik.api.Tuple.of(2, Kind.REOPEN_CRASHED));
        return Combinators.combine(
                        kind,
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.integers().between(0, 1000))
                .as(Op::new);
    }

    /** What the log must hold. */
    private static final class Model {
        long start;
        final List<byte[]> batches = new ArrayList<>();
        int epoch;

        long end() {
            return batches.isEmpty() ? start : last(batches.size() - 1).nextOffset();
        }

        RecordBatch last(int index) {
            try {
                return RecordBatch.wrap(ByteBuffer.wrap(batches.get(index)));
            } catch (io.ferry.record.CorruptBatchException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Property(tries = 80)
    void theLogBehavesLikeAListOfBatches(@ForAll @Size(max = 40) List<@net.jqwik.api.From("op") Op> ops)
            throws Exception {
        Path root = Files.createTempDirectory("ferry-log-model");
        Path dir = Files.createDirectory(root.resolve("log"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        ManualClock clock = new ManualClock(1_000_000L);
        Model model = new Model();
        Log log = Log.open(dir, CONFIG, 0, clock, scheduler);
        try {
            for (Op op : ops) {
                clock.advance(10);
                log = apply(op, log, model, log.dir(), clock, scheduler);
                check(log, model, op);
            }
        } finally {
            log.close();
            scheduler.shutdownNow();
            // A crashed instance's flush may still be writing its directory: the tree is deleted after it.
            scheduler.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            deleteTree(root);
        }
    }

    private static Log apply(
            Op op, Log log, Model model, Path dir, ManualClock clock, ScheduledExecutorService scheduler)
            throws Exception {
        switch (op.kind()) {
            case APPEND_NEW_EPOCH, APPEND -> {
                if (op.kind() == Kind.APPEND_NEW_EPOCH) {
                    model.epoch++;
                }
                List<ByteBuffer> parts = new ArrayList<>();
                for (int i = 0; i <= op.a() % 3; i++) {
                    parts.add(batch(clock.millis(), 1 + (op.b() + i) % 4, (op.a() * 7 + i) % 90));
                }
                ByteBuffer appended = TestBatches.concat(parts);
                LogAppendInfo info = log.appendAsLeader(appended, model.epoch);
                assertEquals(model.end(), info.firstOffset());
                for (RecordBatch batch : batches(appended)) {
                    model.batches.add(bytes(batch));
                }
            }
            case READ -> {
                long span = model.end() - model.start + 1;
                long offset = model.start + op.a() % span;
                List<RecordBatch> read =
                        batches(log.read(offset, op.b(), Long.MAX_VALUE).records());
                if (offset == model.end()) {
                    assertTrue(read.isEmpty());
                } else {
                    int index = indexHolding(model, offset);
                    assertArrayEquals(model.batches.get(index), bytes(read.get(0)), "read at " + offset);
                    for (int i = 1; i < read.size(); i++) {
                        assertArrayEquals(model.batches.get(index + i), bytes(read.get(i)));
                    }
                }
            }
            case TRUNCATE -> {
                long span = model.end() - model.start + 1;
                long target = model.start + op.a() % span;
                log.truncateTo(target);
                if (target < model.end()) {
                    model.batches
                            .subList(indexHolding(model, target), model.batches.size())
                            .clear();
                }
            }
            case TRUNCATE_FULLY -> {
                long newStart = model.end() + op.a() % 5;
                log.truncateFullyAndStartAt(newStart);
                model.batches.clear();
                model.start = newStart;
            }
            case ROLL -> log.roll();
            case REOPEN_CLEAN -> {
                log.close();
                log = Log.open(dir, CONFIG, 0, clock, scheduler);
                assertTrue(log.recoveryResult().cleanShutdown());
            }
            case REOPEN_CRASHED -> {
                // The old instance is abandoned as a killed process would leave it, its files copied as they are
                // (in place, its background flush could still write them); a torn write follows the end.
                Path image = dir.resolveSibling(dir.getFileName() + "-crashed");
                LogDirs.copy(dir, image);
                tearAfterEnd(image, model, op.b());
                log = Log.open(image, CONFIG, 0, clock, scheduler);
                assertEquals(false, log.recoveryResult().cleanShutdown());
            }
        }
        return log;
    }

    /** Writes the first bytes of a new batch after the last one in the newest segment file. */
    private static void tearAfterEnd(Path dir, Model model, int length) throws Exception {
        Path newest;
        try (Stream<Path> files = Files.list(dir)) {
            newest = files.filter(f -> f.toString().endsWith(".log"))
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
        }
        long base = Long.parseLong(newest.getFileName().toString().substring(0, 20));
        long position = 0;
        for (int i = 0; i < model.batches.size(); i++) {
            if (model.last(i).baseOffset() >= base) {
                position += model.batches.get(i).length;
            }
        }
        ByteBuffer torn = batch(1, 3, 50);
        RecordBatch.wrap(torn).setBaseOffset(model.end());
        byte[] bytes = bytes(torn);
        try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw")) {
            file.seek(position);
            // Bytes after the write are zeros (preallocation), so a write is only torn if it stops
            // before the batch's trailing zero bytes.
            int complete = bytes.length;
            while (bytes[complete - 1] == 0) {
                complete--;
            }
            file.write(bytes, 0, Math.min(complete - 1, length % bytes.length));
        }
    }

    private static int indexHolding(Model model, long offset) {
        for (int i = 0; i < model.batches.size(); i++) {
            if (model.last(i).lastOffset() >= offset) {
                return i;
            }
        }
        throw new AssertionError("no batch holds " + offset);
    }

    private static void check(Log log, Model model, Op op) throws Exception {
        assertEquals(model.start, log.logStartOffset(), "start after " + op);
        assertEquals(model.end(), log.logEndOffset(), "end after " + op);
        List<byte[]> all = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<RecordBatch> read =
                    batches(log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE).records());
            read.forEach(b -> all.add(bytes(b)));
            offset = read.get(read.size() - 1).nextOffset();
        }
        assertEquals(model.batches.size(), all.size(), "batches after " + op);
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(model.batches.get(i), all.get(i), "batch " + i + " after " + op);
        }
        OptionalInt expectedEpoch = model.batches.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(model.last(model.batches.size() - 1).partitionLeaderEpoch());
        assertEquals(expectedEpoch, log.latestEpoch(), "latest epoch after " + op);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }
}
