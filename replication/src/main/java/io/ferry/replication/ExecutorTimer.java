package io.ferry.replication;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} on a scheduled executor the caller owns (and shuts down). Expired tasks run on the
 * executor's threads, so tasks must be short: they only complete requests.
 */
public final class ExecutorTimer implements Timer {

    private final ScheduledExecutorService executor;

    public ExecutorTimer(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public Timeout schedule(long delayMs, Runnable task) {
        Future<?> future = executor.schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }
}
