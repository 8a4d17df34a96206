package io.ferry.storage;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The loan of the memory that bytes handed to a reader lie in: a slice of a mapped segment (a log read),
 * or of a pooled network buffer (a follower's fetch answer). The reader releases it once nothing reads
 * those bytes any more; then the memory may be unmapped or reused, and reading them afterwards is a bug
 * (for a mapping, a crash of the JVM). A lease never released is not a leak: its memory is freed by the
 * garbage collector once unreachable, only later than it could have been.
 *
 * <p>Implementations are thread-safe, and releasing a second time does nothing.
 */
@FunctionalInterface
public interface BufferLease {

    /** For bytes that are no loan (a copy, an empty buffer): releasing does nothing. */
    BufferLease NONE = () -> {};

    /** Gives the memory back; later calls do nothing. */
    void release();

    /** A lease that runs {@code giveBack} on its first release only. */
    static BufferLease once(Runnable giveBack) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                giveBack.run();
            }
        };
    }
}
