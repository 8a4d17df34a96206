package io.ferry.benchmarks;

import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * Leader appends of one pre-built batch, over and over, to a log with the default configuration
 * (1 GiB segments, no fsync policy: rolled segments are flushed in the background as in the broker).
 * Each iteration starts from an empty log in a fresh directory, like dd's fresh file, and deletes it
 * afterwards so the disk never fills. The batch is validated (CRC) and patched on every append, as a
 * produce request's would be.
 *
 * <p>{@code buffer=DIRECT} appends the batch from a writable direct buffer, which is what the broker's
 * produce path hands the log (the gRPC marshaller copies each request once, from the transport's
 * buffers into a pooled direct buffer, and hands the log a slice of it): the figure of the real path. {@code buffer=HEAP} is the comparison
 * with a heap buffer, which the JDK copies into a temporary direct buffer inside every write.
 *
 * <p>{@code rolledSegmentFlush=NONE} is an experimental control, not a broker configuration: the log
 * gets an executor that is already shut down, so the fsync the log schedules when a segment rolls never
 * runs (the log tolerates that, as it does during shutdown). Comparing it with {@code BACKGROUND} shows
 * what that concurrent fsync costs the appending thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AppendBenchmark {

    @Param({"1024", "16384", "1048576"})
    int batchBytes;

    /** Whether the fsync of each rolled segment runs (in the background, as in the broker). */
    public enum RolledSegmentFlush { BACKGROUND, NONE }

    @Param({"BACKGROUND", "NONE"})
    RolledSegmentFlush rolledSegmentFlush;

    /** Where the appended batch lives: DIRECT as the produce path delivers it, HEAP for comparison. */
    public enum Buffer { DIRECT, HEAP }

    @Param({"DIRECT", "HEAP"})
    Buffer buffer;

    private ByteBuffer batch;
    private ScheduledExecutorService scheduler;
    private Path dir;
    private Log log;

    /** Bytes and batches appended; JMH reports each as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Appended {
        public long bytes;
        public long batches;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            batches = 0;
        }
    }

    @Setup(Level.Trial)
    public void buildBatch() {
        ByteBuffer built = BenchLogs.batch(batchBytes, 42);
        batch = buffer == Buffer.HEAP ? built
                : ByteBuffer.allocateDirect(built.remaining()).put(built.duplicate()).flip();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        if (rolledSegmentFlush == RolledSegmentFlush.NONE) {
            scheduler.shutdown();
        }
    }

    @Setup(Level.Iteration)
    public void openEmptyLog() throws IOException {
        dir = BenchLogs.newLogDir("append-");
        log = BenchLogs.open(dir, 0, scheduler);
    }

    @Benchmark
    public LogAppendInfo append(Appended appended) throws LogAppendException {
        LogAppendInfo info = log.appendAsLeader(batch.duplicate(), 0);
        appended.bytes += info.sizeInBytes();
        appended.batches++;
        return info;
    }

    /** Deletes without the clean close's fsync, which is not part of what is measured. */
    @TearDown(Level.Iteration)
    public void deleteLog() throws IOException {
        log.delete();
        BenchLogs.deleteRecursively(dir);
    }

    @TearDown(Level.Trial)
    public void stopScheduler() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(1, TimeUnit.MINUTES);
    }
}
