package io.ferry.benchmarks;

import io.ferry.storage.Log;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.RecoveryResult;
import io.ferry.storage.internal.LogLoader;
import java.io.IOException;
import java.nio.file.Files;
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

/**
 * Opening a 1 GiB log (16 KiB batches) after a crash: no clean-shutdown marker and recovery point 0,
 * so every batch is validated by length and CRC and the indexes are rebuilt. The log is written once
 * per trial and is still in the page cache, so this is the CPU cost of recovery, not the cost of
 * reading 1 GiB from the device.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecoveryBenchmark {

    private static final int BATCH_BYTES = 16 * 1024;

    /** Log size in bytes (a parameter so the report can turn seconds into MB/s). */
    @Param({"1073741824"})
    long logBytes;

    private ScheduledExecutorService scheduler;
    private Path dir;
    private Log log;

    @Setup(Level.Trial)
    public void writeLog() throws IOException, LogAppendException {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        dir = BenchLogs.newLogDir("recovery-");
        try (Log writer = BenchLogs.open(dir, 0, scheduler)) {
            BenchLogs.fill(writer, BenchLogs.batch(BATCH_BYTES, 11), logBytes);
        }
    }

    @Setup(Level.Invocation)
    public void simulateCrash() throws IOException {
        if (!Files.deleteIfExists(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE))) {
            throw new IllegalStateException(
                    "no clean-shutdown marker in " + dir + ": the previous close was not clean");
        }
    }

    @Benchmark
    public RecoveryResult openAndRecover() {
        log = BenchLogs.open(dir, 0, scheduler);
        RecoveryResult result = log.recoveryResult();
        if (result.cleanShutdown() || result.bytesTruncated() != 0) {
            throw new IllegalStateException("expected a full recovery with nothing to cut, got " + result);
        }
        return result;
    }

    @TearDown(Level.Invocation)
    public void closeCleanly() {
        log.close();
    }

    @TearDown(Level.Trial)
    public void deleteLog() throws IOException, InterruptedException {
        BenchLogs.deleteRecursively(dir);
        scheduler.shutdownNow();
        scheduler.awaitTermination(1, TimeUnit.MINUTES);
    }
}
