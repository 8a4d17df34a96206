package io.ferry.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The disk's own sequential write speed, measured right before each benchmark operation it is
 * compared with: {@code dd if=/dev/zero bs=1M} of the same number of bytes into a fresh file on the
 * benchmark logs' filesystem, no fsync, the file deleted afterwards (which drops its dirty pages, as
 * deleting a benchmark log does). Pairing every operation with its own dd run keeps the comparison
 * fair on a machine whose speed drifts between runs.
 *
 * <p>Each measurement is appended to {@link #PAIRS} as
 * {@code benchmark,params,iteration-type,dd-seconds}; bin/bench-storage matches them, in order, with the
 * operation times in JMH's JSON report.
 */
final class DdBaseline {

    /** Where the paired dd times go, relative to the working directory (bin/bench-storage runs from benchmarks/). */
    static final Path PAIRS = BenchLogs.DATA_DIR.resolve("dd-pairs.csv");

    private static final Pattern COPIED = Pattern.compile("(?m)^(\\d+) bytes .* copied, ([0-9.]+) s");

    private DdBaseline() {}

    /** Runs dd for {@code bytes} (a multiple of 1 MiB) and records its time under this iteration. */
    static void measureBefore(BenchmarkParams benchmark, IterationParams iteration, long bytes)
            throws IOException, InterruptedException {
        double seconds = run(bytes);
        String params = String.join(
                ";",
                benchmark.getParamsKeys().stream()
                        .sorted()
                        .map(key -> key + "=" + benchmark.getParam(key))
                        .toList());
        String type = iteration.getType() == IterationType.WARMUP ? "warmup" : "measurement";
        Files.writeString(
                PAIRS,
                benchmark.getBenchmark() + "," + params + "," + type + "," + seconds + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static double run(long bytes) throws IOException, InterruptedException {
        if (bytes % (1 << 20) != 0) {
            throw new IllegalArgumentException(bytes + " bytes is not a whole number of MiB");
        }
        Files.createDirectories(BenchLogs.DATA_DIR);
        // dd must create the file: opening an existing one truncates it, and ext4 (auto_da_alloc) then
        // starts writeback of every byte when dd closes it, which dd's reported time includes.
        Path file =
                BenchLogs.DATA_DIR.resolve("dd-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        try {
            ProcessBuilder command = new ProcessBuilder(
                            "dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=" + (bytes >> 20))
                    .redirectErrorStream(true);
            command.environment().put("LC_ALL", "C");
            Process dd = command.start();
            String output = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (dd.waitFor() != 0) {
                throw new IOException("dd failed: " + output);
            }
            Matcher copied = COPIED.matcher(output);
            if (!copied.find() || Long.parseLong(copied.group(1)) != bytes) {
                throw new IOException("dd did not report copying " + bytes + " bytes: " + output);
            }
            return Double.parseDouble(copied.group(2));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
