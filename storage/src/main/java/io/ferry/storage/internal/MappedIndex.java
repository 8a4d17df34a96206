package io.ferry.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of fixed-size entries, sorted by key, preallocated while the segment is
 * appendable and trimmed to its entries when sealed. Indexes are caches of what the {@code .log} file
 * says: on any doubt they are rebuilt, never trusted over the log.
 *
 * <p>The file is mapped when there is an entry to read or write through the mapping: by the first
 * append, or by the first lookup once there are entries, and again on the use after {@link #unmap()},
 * always at the file's length (mapping past the end would extend the file). An index without entries
 * (the appendable segment of a partition that took less than {@code index.interval.bytes}, or an
 * empty one) costs no entry of the process's {@code vm.max_map_count}. {@link LogSegment} decides when
 * to unmap.
 *
 * <p>One writer (the log's lock holder) appends; lookups may run on any thread. A lookup reads the
 * volatile entry count first and then only entries below it, which were written before the count was
 * published.
 */
abstract class MappedIndex {

    private final Path path;
    private final int entrySize;
    private final LazyMapping map;
    /** The file's length, which is what a mapping covers. */
    private volatile int mappedBytes;

    private volatile int entries;

    MappedIndex(Path path, int entrySize) {
        this.path = path;
        this.entrySize = entrySize;
        this.map = new LazyMapping(path, this::mapNow);
    }

    /**
     * Opens the file (creating it if absent) with room for {@code capacityBytes}, or at just its current
     * length when that is 0; a mapping made before is made again at the new length. Existing entries are
     * counted from the file length, so a preallocated file left by a crash must be {@link #reset() reset}
     * and rebuilt.
     */
    final void open(int capacityBytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            long length = file.length();
            int usable = (int) Math.min(length, Integer.MAX_VALUE) / entrySize * entrySize;
            int mapped = Math.max(usable, capacityBytes / entrySize * entrySize);
            file.setLength(mapped);
            mappedBytes = mapped;
            map.remapIfMapped();
            entries = usable / entrySize;
        }
    }

    final Path path() {
        return path;
    }

    final int entries() {
        return entries;
    }

    final int maxEntries() {
        return mappedBytes / entrySize;
    }

    /** Forgets every entry (the file keeps its size); the caller rebuilds from the log. */
    final void reset() {
        entries = 0;
    }

    /** Grows the file to {@code capacityBytes} so entries can be appended again. */
    final void ensureCapacity(int capacityBytes) throws IOException {
        if (capacityBytes / entrySize > maxEntries()) {
            int count = entries;
            open(capacityBytes);
            entries = count;
        }
    }

    /**
     * Cuts the file to its entries: the segment is sealed. The mapping stays for lookups; a later one
     * covers the entries only.
     */
    final void trim() throws IOException {
        int trimmed = entries * entrySize;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(trimmed);
        }
        mappedBytes = trimmed;
    }

    /** The buffer to write entry {@code entries()} into; call {@link #publishAppend()} after writing. */
    final MappedByteBuffer buffer() {
        return map();
    }

    final int entryPosition(int entry) {
        return entry * entrySize;
    }

    final void publishAppend() {
        entries = entries + 1;
    }

    final void delete() throws IOException {
        Files.deleteIfExists(path);
    }

    final boolean isMapped() {
        return map.isMapped();
    }

    /** Whether every entry can be read without mapping: the file is mapped, or there is no entry. */
    final boolean entriesMapped() {
        return entries == 0 || map.isMapped();
    }

    /** Maps the file now if it has entries and is not mapped. */
    final void mapEntries() {
        if (entries > 0) {
            map.get();
        }
    }

    /** Releases the mapping now; the next use maps the file again. No lookup may be running. */
    final void unmap() {
        map.unmap();
    }

    /**
     * Index of the last entry whose key is at most {@code key} (strictly below it when
     * {@code strict}), or -1 if there is none. Keys must be sorted.
     */
    final int search(long key, boolean strict) {
        int high = entries - 1;
        if (high < 0) {
            return -1;
        }
        MappedByteBuffer buffer = map();
        int low = 0;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long midKey = keyAt(buffer, mid);
            if (midKey < key || (!strict && midKey == key)) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    abstract long keyAt(MappedByteBuffer buffer, int entry);

    /** The mapping, made now if the file is not mapped. */
    final MappedByteBuffer map() {
        return map.get();
    }

    private MappedByteBuffer mapNow() throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, mappedBytes);
        }
    }
}
