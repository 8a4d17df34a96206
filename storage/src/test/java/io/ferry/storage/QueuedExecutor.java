package io.ferry.storage;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** A flush thread that runs nothing until told: tests see what is queued and when it runs. */
final class QueuedExecutor implements Executor {

    private final Queue<Runnable> queued = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        queued.add(task);
    }

    synchronized int queued() {
        return queued.size();
    }

    /** Runs the tasks queued now (not those they queue), one after the other, on the calling thread. */
    void runQueued() {
        for (int i = queued(); i > 0; i--) {
            poll().run();
        }
    }

    private synchronized Runnable poll() {
        return queued.poll();
    }
}
