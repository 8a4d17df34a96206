package io.ferry.node.internal.broker.group;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs its tasks one at a time, in the order given, on a pool shared with other serial executors: each
 * coordinator partition's state has one writer at a time, without a thread of its own (a broker may lead
 * all 50 partitions of {@code __consumer_offsets}). A turn on the pool runs the tasks queued, up to
 * {@link #TASKS_PER_TURN}, then gives the pool back to the other executors: handing every task to the pool
 * on its own would wake a pool thread per task. A task that throws is logged, and the next one runs.
 * Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    /** The most tasks one turn runs before the other executors sharing the pool get theirs. */
    static final int TASKS_PER_TURN = 32;

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
        pool.execute(this::runTurn);
    }

    /** Runs the tasks queued, up to {@link #TASKS_PER_TURN}, then gives the pool back to the others' turn. */
    private void runTurn() {
        for (int ran = 0; ; ran++) {
            Runnable task;
            synchronized (this) {
                task = ran < TASKS_PER_TURN ? tasks.poll() : null;
                if (task == null) {
                    scheduled = !tasks.isEmpty();
                    if (!scheduled) {
                        return;
                    }
                }
            }
            if (task == null) {
                pool.execute(this::runTurn);
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("A task of {} failed", name, e);
            }
        }
    }
}
