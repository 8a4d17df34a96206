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
    /** Takes the operation off every watch list; set once it is on them. */
    private volatile Runnable leave;

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
        Runnable l = leave;
        if (l != null) {
            l.run();
        }
        return true;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    /**
     * The timeout that expires the operation; cancelled at once if the operation completed before it was set
     * (else it would stay queued on the timer, holding the operation, for its whole delay).
     */
    final void setTimeout(Timer.Timeout t) {
        timeout = t;
        if (completed.get()) {
            t.cancel();
        }
    }

    /**
     * How the operation leaves every watch list it is on, run when it completes however it completes (a check
     * through one of its keys, its timeout, a forced completion), or at once if it already has. Completion and
     * this call each look at what the other wrote, so at least one of them runs it; running it twice is harmless.
     */
    final void leaveOnCompletion(Runnable leave) {
        this.leave = leave;
        if (completed.get()) {
            leave.run();
        }
    }

    /** The deadline passed: complete with whatever state there is. */
    final void expire() {
        forceComplete();
    }
}
