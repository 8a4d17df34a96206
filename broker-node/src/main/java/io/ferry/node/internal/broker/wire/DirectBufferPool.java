package io.ferry.node.internal.broker.wire;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recycles the direct buffers produce requests are received into. A new direct buffer per request
 * is slow (the JDK zeroes it, the allocator maps fresh pages, and freeing waits for a GC; measured in
 * docs/benchmarks.md, {@code ProduceCopyBenchmark}), so released buffers are kept for the next request.
 *
 * <p>Buffers come in power-of-two sizes from 4 KiB to 1 GiB; a request for more than 1 GiB gets an
 * exact, unpooled buffer. At most {@code maxPooledBytes} of free buffers are kept; beyond that a
 * released buffer is dropped and the garbage collector frees it. Every buffer handed out is an
 * ordinary GC-owned direct buffer, so one that is never released is not a leak, only not reused.
 *
 * <p>Thread-safe. The caller must release a buffer at most once and only when nothing reads or
 * writes it any more: the next {@link #acquire} may hand it to another request.
 */
public final class DirectBufferPool {

    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 30;

    private final long maxPooledBytes;
    private final AtomicLong pooledBytes = new AtomicLong();
    private final Queue<ByteBuffer>[] free;

    /** @param maxPooledBytes the most bytes of free buffers kept for reuse */
    @SuppressWarnings("unchecked")
    public DirectBufferPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
        this.free = new Queue[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /**
     * A direct buffer of at least {@code bytes} bytes, position 0, limit {@code bytes}; its contents are
     * whatever the previous user left.
     */
    ByteBuffer acquire(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        int shift = bytes <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(bytes - 1);
        if (shift > MAX_SHIFT) {
            return ByteBuffer.allocateDirect(bytes);
        }
        ByteBuffer buffer = free[shift - MIN_SHIFT].poll();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(1 << shift).limit(bytes);
        }
        pooledBytes.addAndGet(-buffer.capacity());
        return buffer.clear().limit(bytes);
    }

    /** Hands back a buffer {@link #acquire} returned (not a slice or duplicate of it). */
    void release(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        if (!buffer.isDirect()
                || Integer.bitCount(capacity) != 1
                || capacity < 1 << MIN_SHIFT
                || capacity > 1 << MAX_SHIFT) {
            return;
        }
        if (pooledBytes.addAndGet(capacity) > maxPooledBytes) {
            pooledBytes.addAndGet(-capacity);
            return;
        }
        free[Integer.numberOfTrailingZeros(capacity) - MIN_SHIFT].offer(buffer);
    }

    /** Bytes of free buffers kept now. */
    long pooledBytes() {
        return pooledBytes.get();
    }
}
