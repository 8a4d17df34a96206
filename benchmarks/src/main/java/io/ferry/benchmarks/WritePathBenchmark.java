package io.ferry.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The two write paths DESIGN.md leaves to measurement, without the rest of the log: appending batches
 * to a preallocated sparse segment file (1 GiB, the default {@code segment.bytes}) with positional
 * {@link FileChannel} writes (what {@code ChannelSegmentFile} does) or by copying into a read-write
 * mapping of the file. A full file rolls to a new one, and files stay until the iteration ends, as
 * segments do. No fsync on any path. Two controls separate the costs of the channel path:
 * {@code CHANNEL_DIRECT} writes from a direct buffer (the JDK copies a heap buffer into a temporary
 * direct one first), {@code CHANNEL_APPEND} writes without preallocation (the file grows, as dd's does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WritePathBenchmark {

    private static final int SEGMENT_BYTES = 1 << 30;

    public enum WritePath { CHANNEL, CHANNEL_DIRECT, CHANNEL_APPEND, MMAP }

    @Param({"CHANNEL", "CHANNEL_DIRECT", "CHANNEL_APPEND", "MMAP"})
    WritePath writePath;

    @Param({"16384", "1048576"})
    int batchBytes;

    private ByteBuffer batch;
    private Path dir;
    private final List<RandomAccessFile> files = new ArrayList<>();
    private FileChannel channel;
    private MappedByteBuffer map;
    private int position;

    /** Bytes and batches written; JMH reports each as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Written {
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
        ByteBuffer heap = BenchLogs.batch(batchBytes, 42);
        batch = writePath == WritePath.CHANNEL_DIRECT ? ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip() : heap;
    }

    @Setup(Level.Iteration)
    public void createDir() throws IOException {
        dir = BenchLogs.newLogDir("write-path-");
        roll();
    }

    @Benchmark
    public int write(Written written) throws IOException {
        int length = batch.remaining();
        if (position + length > SEGMENT_BYTES) {
            roll();
        }
        if (writePath != WritePath.MMAP) {
            ByteBuffer src = batch.duplicate();
            int at = position;
            while (src.hasRemaining()) {
                at += channel.write(src, at);
            }
        } else {
            map.put(position, batch, batch.position(), length);
        }
        position += length;
        written.bytes += length;
        written.batches++;
        return position;
    }

    private void roll() throws IOException {
        RandomAccessFile file = new RandomAccessFile(dir.resolve(String.format("%020d.log", files.size())).toFile(), "rw");
        files.add(file);
        if (writePath != WritePath.CHANNEL_APPEND) {
            file.setLength(SEGMENT_BYTES);
        }
        channel = file.getChannel();
        map = writePath == WritePath.MMAP ? channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT_BYTES) : null;
        position = 0;
    }

    @TearDown(Level.Iteration)
    public void deleteFiles() throws IOException {
        for (RandomAccessFile file : files) {
            file.close();
        }
        files.clear();
        map = null;
        BenchLogs.deleteRecursively(dir);
    }
}
