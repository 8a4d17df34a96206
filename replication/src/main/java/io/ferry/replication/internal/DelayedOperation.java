package io.ferry.replication.internal;

import io.ferry.replication.Timer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request that waits for a condition (the high watermark passing its offsets, enough bytes to
 * fetch) or a timeout, without a thread of its own. {@link DelayedOperations} calls
 * {@link #tryComplete()} when something it waits on may have changed; the shared timer calls
 * {@link #expire()} at the deadline. Whichever comes first completes it: {@link #onComplete()} runs
 * exactly once.
 *
 * <p>Thread-safety: {@code tryComplete} may run on several threads at once (appends to different
 * partitions); completion is decided by one compare-and-set.
 */
public abstract class DelayedOperation {

    private final long delayMs;
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile Timer.Timeout timeout;

    protected DelayedOperation(long delayMs) {
        this.delayMs = delayMs;
    }

    public final long delayMs() {
        return delayMs;
    }

    /** Checks the condition and calls {@link #forceComplete()} if it holds; returns whether it is now complete. */
    public abstract boolean tryComplete();

    /** Builds and sends the answer from the current state; runs once. */
    protected abstract void onComplete();

    /**
     * Completes the operation unless it already is.
     *
     * @return whether this call completed it
     */
    public final boolean forceComplete() {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        Timer.Timeout t = timeout;
        if (t != null) {
            t.cancel();
        }
        onComplete();
        return true;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    final void setTimeout(Timer.Timeout t) {
        timeout = t;
    }

    /** The deadline passed: complete with whatever state there is. */
    final void expire() {
        forceComplete();
    }
}
