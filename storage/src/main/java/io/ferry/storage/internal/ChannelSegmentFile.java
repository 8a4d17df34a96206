package io.ferry.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes with positional {@link FileChannel} writes (through the page cache) and reads through one
 * read-only mapping of the file, so a read is a slice of the mapping, never a copy.
 *
 * <p>The file of an appendable segment is extended to its capacity up front (a sparse file: no blocks
 * are allocated), so that one mapping covers every byte the segment will ever hold; {@link #seal()}
 * shrinks it back to the logical size. The file only ever shrinks to at most the logical size while
 * mapped, so no reader touches a page past the end of the file.
 *
 * <p>Writes do not need the mapping, so the file is mapped by its first {@link #slice} (or
 * {@link #map()}) and again by the first one after {@link #unmap()}: a partition that nobody reads, such
 * as a follower's, costs no entry of the process's {@code vm.max_map_count} for its {@code .log}. An
 * appendable file is mapped at its capacity, a sealed one at its logical size, never past it, since mapping
 * past the end of a file opened for writing would extend the file. {@link LogSegment} decides when to unmap
 * (never while a reader may hold a slice: that would be a segmentation fault).
 */
public final class ChannelSegmentFile implements SegmentFile {

    private final Path path;
    private final RandomAccessFile file;
    private final FileChannel channel;
    private final int capacity;
    private final LazyMapping map;

    private volatile int size;
    private volatile boolean sealed;

    private ChannelSegmentFile(Path path, RandomAccessFile file, int size, int capacity, boolean sealed) {
        this.path = path;
        this.file = file;
        this.channel = file.getChannel();
        this.size = size;
        this.capacity = capacity;
        this.sealed = sealed;
        this.map = new LazyMapping(path, this::mapNow);
    }

    /**
     * Opens (creating if absent) a segment file whose logical size is its current length.
     *
     * @param preallocateBytes the capacity to extend an appendable file to; 0 for a sealed segment
     */
    public static ChannelSegmentFile open(Path path, int preallocateBytes) throws IOException {
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
        try {
            long length = file.length();
            if (length > Integer.MAX_VALUE) {
                throw new IOException(path + " is " + length + " bytes, larger than a segment can be");
            }
            int capacity = (int) Math.max(length, preallocateBytes);
            if (capacity > length) {
                file.setLength(capacity);
            }
            return new ChannelSegmentFile(path, file, (int) length, capacity, false);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void append(ByteBuffer bytes) throws IOException {
        int position = size;
        int length = bytes.remaining();
        if (length > capacity - position) {
            throw new IOException("append of " + length + " bytes at " + position + " overflows " + path
                    + " of capacity " + capacity);
        }
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
        size = position;
    }

    @Override
    public ByteBuffer slice(int position, int length) {
        return map.get().slice(position, length);
    }

    @Override
    public void map() {
        map.get();
    }

    @Override
    public boolean isMapped() {
        return map.isMapped();
    }

    private MappedByteBuffer mapNow() throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, 0, sealed ? size : capacity);
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void truncateInPlace(int newSize) throws IOException {
        file.setLength(newSize);
        // Re-extending yields zeros, so no stale batch past the cut can be recovered later.
        file.setLength(capacity);
        size = newSize;
    }

    @Override
    public void seal() throws IOException {
        file.setLength(size);
        sealed = true;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public void unmap() {
        map.unmap();
    }
}
