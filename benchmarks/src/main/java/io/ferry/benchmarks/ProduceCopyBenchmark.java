package io.ferry.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The one copy the broker's produce marshaller makes, from the transport's (direct) buffer into the
 * direct buffer the log then writes, under the two ways of getting that buffer:
 * {@code PER_REQUEST} allocates a new one per request and leaves it to the garbage collector
 * ({@code ByteBuffer.allocateDirect}, which zeroes the memory, maps fresh pages and frees them only
 * after a GC); {@code REUSED} copies into one buffer kept across requests, which is what the broker's
 * pool of recycled buffers ({@code DirectBufferPool} in broker-node) gives a request in the steady
 * state, less the pool's queue operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(time = 2)
@Measurement(time = 2)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProduceCopyBenchmark {

    @Param({"16384", "1048576"})
    int messageBytes;

    /** How the target direct buffer is obtained. */
    public enum Allocation {
        PER_REQUEST,
        REUSED
    }

    @Param({"PER_REQUEST", "REUSED"})
    Allocation allocation;

    private ByteBuffer received;
    private ByteBuffer reused;

    /** Bytes copied; JMH reports it as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Copied {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void fill() {
        ByteBuffer batch = BenchLogs.batch(messageBytes, 7);
        received = ByteBuffer.allocateDirect(batch.remaining()).put(batch).flip();
        reused = ByteBuffer.allocateDirect(received.remaining());
    }

    @Benchmark
    public ByteBuffer copy(Copied copied) {
        ByteBuffer target =
                allocation == Allocation.REUSED ? reused.clear() : ByteBuffer.allocateDirect(received.remaining());
        target.put(received.duplicate()).flip();
        copied.bytes += target.remaining();
        return target;
    }
}
