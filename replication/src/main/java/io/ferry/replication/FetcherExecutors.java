package io.ferry.replication;

import java.util.concurrent.ExecutorService;

/**
 * Makes the executor each replica fetcher runs on: one per leader broker this broker follows. A fetcher
 * has no thread of its own; its steps (send a fetch, apply an answer, end a backoff) are tasks on this
 * executor, so the broker gives it a thread of the node (where an {@link Error} ends the process) and a
 * simulation gives it its deterministic scheduler.
 */
@FunctionalInterface
public interface FetcherExecutors {

    /**
     * A new executor that runs its tasks one at a time, in the order they were given to
     * {@link ExecutorService#execute}. Its owner, the fetcher, shuts it down with
     * {@link ExecutorService#shutdown()}, never {@code shutdownNow()} (an interrupt during a log write
     * closes the log's file channel), and waits for the task in progress. A task lets only an
     * {@link Error} escape; the executor must not swallow it.
     *
     * @param name names the executor's thread, e.g. {@code ferry-replica-fetcher-2}
     */
    ExecutorService create(String name);
}
