package io.ferry.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes with positional {@link FileChannel} writes (through the page cache) and reads through one
 * read-only mapping of the whole preallocated file, so a read is a slice of the mapping, never a copy.
 *
 * <p>The file of an appendable segment is extended to its capacity up front (a sparse file: no blocks
 * are allocated) so that one mapping covers every byte the segment will ever hold; {@link #seal()}
 * shrinks it back to the logical size. The file only ever shrinks to at most the logical size while
 * mapped, so no reader touches a page past the end of the file.
 *
 * <p>The mapping is unmapped by {@link #unmap()} once the segment's last reference is released (see
 * {@link LogSegment#retain()}), never while a reader may hold a slice: that would be a segmentation fault.
 */
public final class ChannelSegmentFile implements SegmentFile {

    private final Path path;
    private final RandomAccessFile file;
    private final FileChannel channel;
    private final int capacity;
    private final MappedByteBuffer map;
    private volatile int size;

    private ChannelSegmentFile(Path path, RandomAccessFile file, int size, int capacity) throws IOException {
        this.path = path;
        this.file = file;
        this.channel = file.getChannel();
        this.size = size;
        this.capacity = capacity;
        this.map = channel.map(FileChannel.MapMode.READ_ONLY, 0, capacity);
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
            return new ChannelSegmentFile(path, file, (int) length, capacity);
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
        return map.slice(position, length);
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
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public void unmap() {
        Unmapper.unmap(map);
    }
}
