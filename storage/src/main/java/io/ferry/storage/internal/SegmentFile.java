package io.ferry.storage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The bytes of one segment's {@code .log} file: the write path of the log, kept behind this interface
 * so that a different strategy (for example writes into a read-write mapping) can replace
 * {@link ChannelSegmentFile} without touching segment logic.
 *
 * <p>Bytes below {@link #size()} never change while the file is open (truncation makes a new file, see
 * {@link LogSegment#truncatedCopy}); slices handed out stay valid after {@link #close()}, until
 * {@link #unmap()}.
 *
 * <p>One writer thread (the owner of the log's lock) calls the mutators; any thread may call
 * {@link #size()} and {@link #slice(int, int)}.
 */
public interface SegmentFile extends AutoCloseable {

    Path path();

    /** Logical size in bytes: the end of the last appended batch. Volatile read. */
    int size();

    /** Bytes the file can hold before the segment must roll. */
    int capacity();

    /**
     * Appends every remaining byte of {@code bytes} at {@link #size()} and then publishes the new size.
     * The caller has checked that they fit in {@link #capacity()}.
     */
    void append(ByteBuffer bytes) throws IOException;

    /**
     * A read-only view of {@code [position, position + length)}, which must lie below {@link #size()}.
     * Maps the file if it is not mapped.
     */
    ByteBuffer slice(int position, int length);

    /** Maps the file now if it is not mapped. */
    void map();

    /** Whether the file is mapped now. */
    boolean isMapped();

    /** Forces written bytes to the device. */
    void flush() throws IOException;

    /**
     * Cuts the file to {@code newSize} in place. Only for recovery, before any reader exists: a reader
     * holding a slice past the cut would fault.
     */
    void truncateInPlace(int newSize) throws IOException;

    /** Releases the preallocated space after {@link #size()}: the segment takes no more appends. */
    void seal() throws IOException;

    /** Closes the file handle; existing slices stay readable. */
    @Override
    void close() throws IOException;

    /**
     * Releases the read mapping now, not at garbage collection; the next {@link #slice} maps the file
     * again. Every slice of the old mapping becomes unreadable (a read would crash the JVM): only
     * {@link LogSegment} calls it, when no reader holds the segment.
     */
    void unmap();
}
