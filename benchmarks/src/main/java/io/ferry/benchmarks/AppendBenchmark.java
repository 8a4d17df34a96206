package io.ferry.benchmarks;

import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Time to append {@code logBytes} (1 GiB, exactly what the dd baseline writes) to an empty log with
 * the default configuration, in leader appends of one pre-built batch of exactly {@code batchBytes}.
 * Every append validates the batch (CRC-32C, record count) and patches its offset and epoch, as a
 * produce request's would be.
 *
 * <p>Each operation starts from an empty log in a fresh directory, right after its own dd run
 * ({@link DdBaseline}), as dd starts from a fresh file, and the log is deleted afterwards, which drops
 * its dirty pages unwritten. A fixed amount, the same
 * as dd's, keeps both in the same page-cache regime: 1 GiB stays below the kernel's background
 * writeback threshold on the benchmark machine, whereas a timed loop at these rates writes several GiB
 * per iteration and ends up competing with writeback, which dd never does.
 *
 * <p>{@code buffer=DIRECT} appends from a writable direct buffer, which is what the broker's produce
 * path hands the log (its request marshaller copies each request once into a pooled direct buffer):
 * the figure of the real path. {@code buffer=HEAP} is the comparison: the JDK copies a heap buffer into
 * a temporary direct one inside every write.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AppendBenchmark {

    @Param({"1073741824"})
    long logBytes;

    @Param({"1024", "16384", "1048576"})
    int batchBytes;

    /** Where the appended batch lives: DIRECT as the produce path delivers it, HEAP for comparison. */
    public enum Buffer {
        DIRECT,
        HEAP
    }

    @Param({"DIRECT", "HEAP"})
    Buffer buffer;

    private ByteBuffer batch;
    private long batches;
    private ScheduledExecutorService scheduler;
    private Path dir;
    private Log log;

    @Setup(Level.Trial)
    public void buildBatch() {
        if (logBytes % batchBytes != 0) {
            throw new IllegalArgumentException(
                    "logBytes " + logBytes + " is not a multiple of batchBytes " + batchBytes);
        }
        ByteBuffer built = BenchLogs.batch(batchBytes, 42);
        batch = buffer == Buffer.HEAP
                ? built
                : ByteBuffer.allocateDirect(built.remaining())
                        .put(built.duplicate())
                        .flip();
        batches = logBytes / batchBytes;
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    /** dd of the same 1 GiB right before the operation, then a fresh log. */
    @Setup(Level.Iteration)
    public void openEmptyLog(BenchmarkParams benchmark, IterationParams iteration)
            throws IOException, InterruptedException {
        DdBaseline.measureBefore(benchmark, iteration, logBytes);
        dir = BenchLogs.newLogDir("append-");
        log = BenchLogs.open(dir, 0, scheduler);
    }

    @Benchmark
    public long append() throws LogAppendException {
        for (long i = 0; i < batches; i++) {
            log.appendAsLeader(batch.duplicate(), 0);
        }
        return log.logEndOffset();
    }

    /**
     * Deletes without the clean close's fsync, which is not part of what is measured. The deleted
     * segment's pages, still dirty, are only dropped once its read mapping is unmapped, which the
     * garbage collector does: without the collection here they would pile up over the iterations and
     * be written back during later ones.
     */
    @TearDown(Level.Iteration)
    public void deleteLog() throws IOException {
        if (log.sizeInBytes() != logBytes) {
            throw new IllegalStateException("appended " + log.sizeInBytes() + " bytes, expected " + logBytes);
        }
        log.delete();
        BenchLogs.deleteRecursively(dir);
        System.gc();
    }

    @TearDown(Level.Trial)
    public void stopScheduler() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(1, TimeUnit.MINUTES);
    }
}
