package io.ferry.benchmarks;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogConfig;
import io.ferry.storage.internal.AppendValidation;
import io.ferry.storage.internal.ProducedBatchValidation;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What checking a produced batch costs the leader, per batch of {@code records} records of 100 bytes
 * (about 64 KiB uncompressed, what {@code ferry perf produce --batch-size 65536} sends):
 * {@code framing} is what the leader checked before record validation (length, magic, codec, count,
 * CRC-32C over the batch: {@code AppendValidation}), {@code records} is what record validation adds
 * ({@code ProducedBatchValidation}: every record walked, a compressed batch decompressed first). Both
 * in one run, so their ratio holds on a noisy machine; neither writes anything.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ProduceValidationBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProduceValidationBenchmark {

    @Param({"NONE", "LZ4", "ZSTD"})
    CompressionType codec;

    @Param({"600"})
    int records;

    private final LogConfig config = LogConfig.defaults();
    private ByteBuffer batch;
    private List<RecordBatch> parsed;
    private long now;

    @Setup
    public void build() throws LogAppendException {
        now = System.currentTimeMillis();
        RecordBatchBuilder builder = RecordBatchBuilder.create(codec);
        byte[] value = new byte[100];
        for (int i = 0; i < records; i++) {
            // Printable but not repetitive, so a codec compresses it as it would real payloads, not to nothing.
            for (int j = 0; j < value.length; j++) {
                value[j] = (byte) ('a' + ThreadLocalRandom.current().nextInt(26));
            }
            builder.append(now, null, value);
        }
        ByteBuffer built = builder.build();
        batch = ByteBuffer.allocateDirect(built.remaining()).put(built).flip();
        parsed = AppendValidation.validate(batch, config);
    }

    @Benchmark
    public List<RecordBatch> framing() throws LogAppendException {
        return AppendValidation.validate(batch, config);
    }

    @Benchmark
    public long records() throws LogAppendException {
        // Validation sets the max timestamp the batch already has, so repeated runs change nothing.
        return ProducedBatchValidation.validateAndStamp(parsed, config, now);
    }
}
