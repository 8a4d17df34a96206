package io.ferry.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
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
 * The two write paths DESIGN.md leaves to measurement, without the rest of the log: time to write
 * {@code logBytes} (1 GiB, the default {@code segment.bytes}, and what the paired dd run writes) in
 * batches of {@code batchBytes} from a direct buffer, either with positional {@link FileChannel} writes
 * into a preallocated sparse file ({@code CHANNEL}, what {@code ChannelSegmentFile} does) or by copying
 * into a read-write mapping of it ({@code MMAP}). {@code CHANNEL_APPEND} is a control that writes
 * without preallocation (the file grows, as dd's does). No fsync on any path; the file is deleted after
 * each operation, as in {@link AppendBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WritePathBenchmark {

    public enum WritePath {
        CHANNEL,
        CHANNEL_APPEND,
        MMAP
    }

    @Param({"CHANNEL", "CHANNEL_APPEND", "MMAP"})
    WritePath writePath;

    @Param({"1073741824"})
    long logBytes;

    @Param({"16384", "1048576"})
    int batchBytes;

    private ByteBuffer batch;
    private Path dir;
    private RandomAccessFile file;
    private FileChannel channel;
    private MappedByteBuffer map;

    @Setup(Level.Trial)
    public void buildBatch() {
        if (logBytes % batchBytes != 0 || logBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("logBytes " + logBytes + " must be a multiple of batchBytes "
                    + batchBytes + " and fit one segment");
        }
        ByteBuffer heap = BenchLogs.batch(batchBytes, 42);
        batch = ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip();
    }

    /** dd of the same 1 GiB right before the operation, then a fresh file. */
    @Setup(Level.Iteration)
    public void createFile(BenchmarkParams benchmark, IterationParams iteration)
            throws IOException, InterruptedException {
        DdBaseline.measureBefore(benchmark, iteration, logBytes);
        dir = BenchLogs.newLogDir("write-path-");
        file = new RandomAccessFile(dir.resolve("00000000000000000000.log").toFile(), "rw");
        if (writePath != WritePath.CHANNEL_APPEND) {
            file.setLength(logBytes);
        }
        channel = file.getChannel();
        map = writePath == WritePath.MMAP ? channel.map(FileChannel.MapMode.READ_WRITE, 0, logBytes) : null;
    }

    @Benchmark
    public long write() throws IOException {
        int length = batch.remaining();
        long position = 0;
        while (position < logBytes) {
            if (writePath == WritePath.MMAP) {
                map.put((int) position, batch, batch.position(), length);
                position += length;
            } else {
                ByteBuffer src = batch.duplicate();
                while (src.hasRemaining()) {
                    position += channel.write(src, position);
                }
            }
        }
        return position;
    }

    /** Deletes the file; the collection unmaps a mapping, without which its dirty pages would stay. */
    @TearDown(Level.Iteration)
    public void deleteFile() throws IOException {
        file.close();
        map = null;
        BenchLogs.deleteRecursively(dir);
        System.gc();
    }
}
