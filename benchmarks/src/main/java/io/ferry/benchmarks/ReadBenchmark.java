package io.ferry.benchmarks;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential reads of a 1 GiB log of 16 KiB batches, {@code maxBytes} at a time as a fetch would,
 * wrapping to the start at the end. The log was just written, so this measures the read path over
 * the page cache (mapping, slicing, index lookups), not the device. The bytes are touched so the JIT
 * cannot skip the work: one long per 4 KiB page (what a zero-copy send costs the CPU), or a CRC-32C
 * over every byte (what a consumer verifying batches costs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(time = 2)
@Measurement(time = 2)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReadBenchmark {

    private static final long LOG_BYTES = 1L << 30;
    private static final int BATCH_BYTES = 16 * 1024;
    private static final int PAGE = 4096;

    @Param({"1048576"})
    int maxBytes;

    private ScheduledExecutorService scheduler;
    private Path dir;
    private Log log;
    private long offset;

    /** Bytes read; JMH reports it as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Read {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void writeLog() throws IOException, LogAppendException {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        dir = BenchLogs.newLogDir("read-");
        log = BenchLogs.open(dir, 0, scheduler);
        BenchLogs.fill(log, BenchLogs.batch(BATCH_BYTES, 7), LOG_BYTES);
    }

    @Benchmark
    public long readTouchingPages(Read read) throws OffsetOutOfRangeException, CorruptBatchException {
        ByteBuffer bytes = next(read);
        long sum = 0;
        for (int i = bytes.position(); i + Long.BYTES <= bytes.limit(); i += PAGE) {
            sum += bytes.getLong(i);
        }
        return sum;
    }

    @Benchmark
    public long readComputingCrc(Read read) throws OffsetOutOfRangeException, CorruptBatchException {
        CRC32C crc = new CRC32C();
        crc.update(next(read));
        return crc.getValue();
    }

    private ByteBuffer next(Read read) throws OffsetOutOfRangeException, CorruptBatchException {
        if (offset == log.logEndOffset()) {
            offset = log.logStartOffset();
        }
        LogReadResult result = log.read(offset, maxBytes, Long.MAX_VALUE);
        ByteBuffer bytes = result.records();
        offset = nextOffsetAfter(bytes);
        read.bytes += bytes.remaining();
        return bytes;
    }

    /** The offset after the last batch in {@code bytes}, walking batch headers only. */
    private static long nextOffsetAfter(ByteBuffer bytes) throws CorruptBatchException {
        BatchScanner scanner = BatchScanner.of(bytes);
        RecordBatch last = null;
        for (RecordBatch batch = scanner.nextShallow(); batch != null; batch = scanner.nextShallow()) {
            last = batch;
        }
        if (last == null) {
            throw new IllegalStateException("read returned no batch below the log end");
        }
        return last.nextOffset();
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException, InterruptedException {
        log.delete();
        BenchLogs.deleteRecursively(dir);
        scheduler.shutdownNow();
        scheduler.awaitTermination(1, TimeUnit.MINUTES);
    }
}
