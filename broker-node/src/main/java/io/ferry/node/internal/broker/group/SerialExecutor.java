package io.ferry.node.internal.broker.group;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs its tasks one at a time, in the order given, on a pool shared with other serial executors: each
 * coordinator partition's state has one writer at a time, without a thread of its own (a broker may lead
 * all 50 partitions of {@code __consumer_offsets}). A task that throws is logged, and the next one runs.
 * Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final String name;
    /** Guarded by this. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    /** Guarded by this: whether a task of this executor is queued in or running on the pool. */
    private boolean scheduled;

    SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        pool.execute(this::runNext);
    }

    /** Runs one task, then gives the pool back to the others' turn before the next. */
    private void runNext() {
        Runnable task;
        synchronized (this) {
            task = tasks.poll();
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("A task of {} failed", name, e);
        } finally {
            boolean more;
            synchronized (this) {
                more = !tasks.isEmpty();
                scheduled = more;
            }
            if (more) {
                pool.execute(this::runNext);
            }
        }
    }
}
