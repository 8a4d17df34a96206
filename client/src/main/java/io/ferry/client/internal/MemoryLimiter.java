package io.ferry.client.internal;

import io.ferry.client.BufferExhaustedException;
import io.ferry.client.FerryInterruptedException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the bytes of records the producer holds ({@code buffer.memory}). Reserving is a CAS on an
 * atomic counter; only a caller that finds too little free takes the lock and waits. Not fair: a
 * large reservation can wait while small ones pass it.
 *
 * <p>Thread-safe. The no-lost-wakeup argument: a waiter publishes {@code waiters} before re-checking
 * the counter, and a releaser adds to the counter before reading {@code waiters}, so one of them
 * sees the other.
 */
public final class MemoryLimiter {

    private final long total;
    private final AtomicLong available;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private volatile int waiters;

    public MemoryLimiter(long totalBytes) {
        this.total = totalBytes;
        this.available = new AtomicLong(totalBytes);
    }

    /**
     * Takes {@code bytes}, waiting up to {@code maxWaitMs} for them to be released.
     *
     * @throws BufferExhaustedException when they are not free in time
     */
    public void reserve(long bytes, long maxWaitMs) {
        if (tryReserve(bytes)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        lock.lock();
        try {
            waiters++;
            while (!tryReserve(bytes)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new BufferExhaustedException("Failed to allocate " + bytes + " bytes within max.block.ms ("
                            + maxWaitMs + " ms): buffer.memory (" + total + " bytes) is full of records waiting"
                            + " to be acknowledged; " + available.get() + " bytes free");
                }
                freed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            throw new FerryInterruptedException("interrupted while waiting for buffer memory", e);
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    public void release(long bytes) {
        available.addAndGet(bytes);
        if (waiters > 0) {
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public long available() {
        return available.get();
    }

    public long total() {
        return total;
    }

    private boolean tryReserve(long bytes) {
        while (true) {
            long free = available.get();
            if (free < bytes) {
                return false;
            }
            if (available.compareAndSet(free, free - bytes)) {
                return true;
            }
        }
    }
}
