package io.ferry.replication.simulation;

import java.util.List;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A replica fetcher's serial executor: each task is an event, run 0 to 2 ms after it was given (a thread
 * hop takes some time, and other events may come first), never before a task given earlier.
 */
final class SimulatedExecutor extends AbstractExecutorService {

    private final EventQueue events;
    private final Lifetime lifetime;
    private final Random random;
    private long lastDueMs;
    private boolean shutdown;

    SimulatedExecutor(EventQueue events, Lifetime lifetime, Random random) {
        this.events = events;
        this.lifetime = lifetime;
        this.random = random;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the executor was shut down");
        }
        lastDueMs = Math.max(lastDueMs, events.nowMs() + random.nextInt(3));
        events.scheduleAt(lastDueMs, lifetime.bind(task));
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    /** Nothing runs while the caller waits: the simulation has one thread, and it is the caller's. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
