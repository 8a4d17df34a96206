package io.ferry.node.internal.threads;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the threads and executors of a node, so that an {@link Error} on any of them reaches the node's
 * one fatal-error handler (the node's {@code FatalErrorHandler}, given as a callback): an Error that ends
 * a thread, and one a task throws into a {@link Future} nobody reads (a periodic task, a timeout), which a
 * scheduled executor would otherwise keep to itself while cancelling the task for good. That is how an
 * {@code OutOfMemoryError} once stopped a broker's metadata poll for ever while its {@code /health} still
 * answered 200.
 *
 * <p>Any other exception that ends a thread is logged: the node's own loops catch them, and a pool
 * replaces a thread that died of one. All threads are daemons, so none keeps the JVM alive on its own.
 * Thread-safe.
 */
public final class NodeThreads {

    private static final Logger log = LoggerFactory.getLogger(NodeThreads.class);

    private final BiConsumer<Thread, Error> fatalErrors;
    private final Thread.UncaughtExceptionHandler uncaught;

    /**
     * @param fatalErrors called with the thread and the Error, on that thread, possibly on several threads at
     *                    once; must be thread-safe and must not throw
     */
    public NodeThreads(BiConsumer<Thread, Error> fatalErrors) {
        this.fatalErrors = fatalErrors;
        this.uncaught = (thread, thrown) -> {
            if (thrown instanceof Error error) {
                fatalErrors.accept(thread, error);
            } else {
                log.error("Thread {} ended with an uncaught exception", thread.getName(), thrown);
            }
        };
    }

    /**
     * Errors to the fatal-error handler, anything else logged: for the threads other modules start and
     * for callbacks that catch what a {@code CompletableFuture} swallowed.
     */
    public Thread.UncaughtExceptionHandler uncaughtExceptionHandler() {
        return uncaught;
    }

    /** Daemon threads, each named {@code name}. */
    public ThreadFactory named(String name) {
        return runnable -> daemon(runnable, name);
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    public ThreadFactory numbered(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + "-" + next.incrementAndGet());
    }

    /**
     * Daemon threads named {@code prefix-1}, {@code prefix-2}, ..., each at the Linux nice value {@code nice}
     * (see {@link ThreadNiceness}), for background work that should take only what the CPUs have left. Where
     * the value cannot be set, the threads run at the node's own, and the first one logs a warning saying why.
     */
    public ThreadFactory numbered(String prefix, int nice) {
        AtomicBoolean warned = new AtomicBoolean();
        ThreadFactory plain = numbered(prefix);
        return runnable -> plain.newThread(() -> {
            try {
                ThreadNiceness.setForCurrentThread(nice);
            } catch (IOException e) {
                if (warned.compareAndSet(false, true)) {
                    log.warn("{} threads run at the node's nice value, not {}: {}", prefix, nice, e.getMessage());
                }
            }
            runnable.run();
        });
    }

    private Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(uncaught);
        return thread;
    }

    /** A scheduled executor of {@code threads} threads named {@code name}; see the class comment for its Errors. */
    public ScheduledExecutorService scheduled(String name, int threads) {
        return new ErrorSurfacingScheduler(threads, named(name));
    }

    /** An executor of one thread named {@code name}, for tasks given to {@code execute} (not {@code submit}). */
    public ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(named(name));
    }

    /** An executor of {@code threads} threads named {@code prefix-N}, for tasks given to {@code execute}. */
    public ExecutorService fixed(String prefix, int threads) {
        return Executors.newFixedThreadPool(threads, numbered(prefix));
    }

    /** An unbounded, caching executor of threads named {@code prefix-N}, for tasks given to {@code execute}. */
    public ExecutorService cached(String prefix) {
        return Executors.newCachedThreadPool(numbered(prefix));
    }

    /**
     * Hands an Error a scheduled or submitted task threw to the fatal-error handler. Such a task is a
     * {@link Future} that caught it; {@code afterExecute} is the one place that sees it complete.
     */
    private final class ErrorSurfacingScheduler extends ScheduledThreadPoolExecutor {

        ErrorSurfacingScheduler(int threads, ThreadFactory factory) {
            super(threads, factory);
            // Every long-poll and acks=all produce schedules its timeout and cancels it when answered; left
            // queued, each cancelled timeout would still wake the timer thread at its time.
            setRemoveOnCancelPolicy(true);
        }

        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
            super.afterExecute(task, thrown);
            if (task instanceof Future<?> future
                    && future.isDone()
                    && !future.isCancelled()
                    && failure(future) instanceof Error error) {
                fatalErrors.accept(Thread.currentThread(), error);
            }
        }

        private static Throwable failure(Future<?> done) {
            try {
                done.get();
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException e) {
                // Cannot happen for a done future; keep the flag for whoever owns the thread.
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
