package io.ferry.benchmarks;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/** Fixtures shared by the storage benchmarks: where logs live, and how batches are built. */
final class BenchLogs {

    /**
     * Parent of every benchmark log, relative to the working directory (bin/bench-storage runs from
     * {@code benchmarks/}), so the logs share the filesystem of the dd baseline.
     */
    static final Path DATA_DIR = Path.of("target", "bench-data");

    /** Value size of each record: batches are built from records of about 1 KiB, as a typical producer sends. */
    private static final int RECORD_VALUE_BYTES = 1000;

    private BenchLogs() {}

    static Path newLogDir(String prefix) throws IOException {
        Files.createDirectories(DATA_DIR);
        return Files.createTempDirectory(DATA_DIR, prefix);
    }

    static Log open(Path dir, long recoveryPoint, ScheduledExecutorService scheduler) {
        return Log.open(dir, LogConfig.defaults(), recoveryPoint, InstantSource.system(), scheduler);
    }

    /**
     * An uncompressed batch of exactly {@code targetBytes}: records of ~1 KiB of incompressible values,
     * the last one's value sized so the batch fills the target to the byte. Exact sizes let a benchmark
     * append exactly as many bytes as dd writes.
     */
    static ByteBuffer batch(int targetBytes, long seed) {
        int fullRecords = Math.max(0, (targetBytes - RecordBatch.HEADER_SIZE) / (RECORD_VALUE_BYTES + 16) - 1);
        int estimate = targetBytes - build(fullRecords, 0, seed).remaining();
        // The last record's framing (varint lengths) grows with its value, so search just below the estimate.
        for (int lastValueBytes = estimate; lastValueBytes > estimate - 32 && lastValueBytes >= 0; lastValueBytes--) {
            ByteBuffer batch = build(fullRecords, lastValueBytes, seed);
            if (batch.remaining() == targetBytes) {
                return batch;
            }
        }
        throw new IllegalArgumentException("no batch of exactly " + targetBytes + " bytes from ~1 KiB records");
    }

    private static ByteBuffer build(int fullRecords, int lastValueBytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE);
        long now = System.currentTimeMillis();
        for (int i = 0; i <= fullRecords; i++) {
            byte[] value = new byte[i < fullRecords ? RECORD_VALUE_BYTES : lastValueBytes];
            random.nextBytes(value);
            builder.append(now, null, value);
        }
        return builder.build();
    }

    /** Appends copies of {@code batch} until the log holds at least {@code bytes}. */
    static void fill(Log log, ByteBuffer batch, long bytes) throws LogAppendException {
        while (log.sizeInBytes() < bytes) {
            log.appendAsLeader(batch.duplicate(), 0);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
