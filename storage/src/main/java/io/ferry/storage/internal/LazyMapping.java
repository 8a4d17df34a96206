package io.ferry.storage.internal;

import io.ferry.storage.StorageException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One file's mapping, made on first use rather than when the file is opened, and released on demand:
 * a sealed segment then costs no entry of the process's {@code vm.max_map_count} until it is read.
 *
 * <p>Thread-safe: the first {@link #get()} maps exactly once however many threads ask (a volatile read
 * on the fast path, a lock only while mapping). Whoever calls {@link #unmap()} makes sure that no slice
 * of the old mapping is still read (see {@link LogSegment}).
 */
final class LazyMapping {

    /** Maps the file; called under the lock, so at most once per unmapped period. */
    @FunctionalInterface
    interface Mapper {
        MappedByteBuffer map() throws IOException;
    }

    private final Path path;
    private final Mapper mapper;
    /** Null while unmapped. */
    private volatile MappedByteBuffer map;

    LazyMapping(Path path, Mapper mapper) {
        this.path = path;
        this.mapper = mapper;
    }

    /** The mapping, made now if there is none. */
    MappedByteBuffer get() {
        MappedByteBuffer mapped = map;
        if (mapped == null) {
            synchronized (this) {
                mapped = map;
                if (mapped == null) {
                    try {
                        mapped = mapper.map();
                    } catch (IOException e) {
                        throw new StorageException("cannot map " + path + ": " + e.getMessage(), e);
                    }
                    map = mapped;
                }
            }
        }
        return mapped;
    }

    /**
     * Maps the file again if it is mapped, for a writer that grew it; the old mapping is left to the
     * garbage collector, as a reader that looked it up before may still be reading it. Under the lock, so
     * a first {@link #get()} racing with it maps at the new length or is mapped again here.
     */
    synchronized void remapIfMapped() throws IOException {
        if (map != null) {
            map = mapper.map();
        }
    }

    boolean isMapped() {
        return map != null;
    }

    /** Releases the mapping now, not at garbage collection; the next {@link #get()} maps the file again. */
    synchronized void unmap() {
        MappedByteBuffer mapped = map;
        if (mapped != null) {
            map = null;
            Unmapper.unmap(mapped);
        }
    }
}
