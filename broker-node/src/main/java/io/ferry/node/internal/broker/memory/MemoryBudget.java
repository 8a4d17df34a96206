package io.ferry.node.internal.broker.memory;

import io.ferry.replication.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Bytes that calls hold until they end, bounded broker-wide and per connection: a call takes bytes
 * before it allocates them and gives them back when it ends, and a call that finds no room waits
 * (without a thread) instead of allocating.
 *
 * <p>Requests are served in arrival order: one that does not fit waits, and no later request takes
 * bytes ahead of it, except the requests of other connections while it waits only for its own
 * connection's bytes (which only its own connection's calls can give back). A request larger than a
 * limit is granted when nothing else is held at that level, so every request is eventually granted
 * once the calls holding bytes end: no size waits forever, and at most the larger of the limit and
 * the largest request is held. Requests may ask for a range (at least {@code min}, up to {@code max})
 * and then get as much of it as there is room for.
 *
 * <p>Thread-safe: one lock. Grant callbacks run outside it, on the thread of the call that asked,
 * gave bytes back, withdrew, or on the timer's thread at a deadline; they must not block.
 */
public final class MemoryBudget {

    /** A request still waiting for bytes, or already settled (granted, expired or withdrawn). */
    final class Request {
        private final Object connection;
        private final long min;
        private final long max;
        private final LongConsumer granted;
        /** Guarded by the budget. */
        private Timer.Timeout deadline;

        private Request(Object connection, long min, long max, LongConsumer granted) {
            this.connection = connection;
            this.min = min;
            this.max = max;
            this.granted = granted;
        }

        /**
         * Stops waiting, without a callback.
         *
         * @return false if the request was already settled (its callback has run or is running)
         */
        boolean withdraw() {
            List<Runnable> grants;
            synchronized (MemoryBudget.this) {
                if (!waiting.remove(this)) {
                    return false;
                }
                deadline.cancel();
                // It may have held back every request behind it.
                grants = grantWaiting();
            }
            runAll(grants);
            return true;
        }

        private void expire() {
            List<Runnable> callbacks;
            synchronized (MemoryBudget.this) {
                if (!waiting.remove(this)) {
                    return;
                }
                callbacks = grantWaiting();
            }
            callbacks.add(() -> granted.accept(0));
            runAll(callbacks);
        }
    }

    private final long brokerLimit;
    private final long connectionLimit;
    private final Timer timer;
    /** Guarded by this. */
    private long brokerHeld;
    /** Bytes held per connection; no entry for one that holds none. Guarded by this. */
    private final Map<Object, Long> connectionHeld = new HashMap<>();
    /** In arrival order. Guarded by this. */
    private final Set<Request> waiting = new LinkedHashSet<>();

    /**
     * @param brokerLimit     bytes held by all calls together
     * @param connectionLimit bytes held by the calls of one connection
     * @param timer           ends the waits
     */
    public MemoryBudget(long brokerLimit, long connectionLimit, Timer timer) {
        if (brokerLimit < 1 || connectionLimit < 1) {
            throw new IllegalArgumentException("limits must be positive: " + brokerLimit + ", " + connectionLimit);
        }
        this.brokerLimit = brokerLimit;
        this.connectionLimit = connectionLimit;
        this.timer = timer;
    }

    /**
     * Takes {@code bytes} for {@code connection} if they can be had now without passing a waiting
     * request.
     *
     * @return whether they were taken; the caller gives them back with {@link #release}
     */
    synchronized boolean tryTake(Object connection, long bytes) {
        if (!waiting.isEmpty()
                || !fits(heldBy(connection), bytes, connectionLimit)
                || !fits(brokerHeld, bytes, brokerLimit)) {
            return false;
        }
        hold(connection, bytes);
        return true;
    }

    /**
     * Asks for at least {@code min} and at most {@code max} bytes for {@code connection}.
     * {@code granted} is called once with the bytes taken (at least {@code min}), which the caller
     * gives back with {@link #release}; or with 0 if {@code waitMs} passed first (at once when 0 and
     * there is no room now). It may be called before this method returns.
     *
     * @return the request, to {@link Request#withdraw() withdraw} if the caller stops waiting
     */
    Request take(Object connection, long min, long max, long waitMs, LongConsumer granted) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("expected 1 <= min <= max, got " + min + ", " + max);
        }
        Request request = new Request(connection, min, max, granted);
        List<Runnable> callbacks;
        synchronized (this) {
            waiting.add(request);
            callbacks = grantWaiting();
            if (waiting.contains(request)) {
                if (waitMs > 0) {
                    request.deadline = timer.schedule(waitMs, request::expire);
                } else {
                    // Last in line, so no request behind it was held back by it.
                    waiting.remove(request);
                    callbacks.add(() -> granted.accept(0));
                }
            }
        }
        runAll(callbacks);
        return request;
    }

    /** Gives back {@code bytes} that {@code connection} took, and grants what now fits. */
    void release(Object connection, long bytes) {
        if (bytes == 0) {
            return;
        }
        List<Runnable> grants;
        synchronized (this) {
            long held = heldBy(connection) - bytes;
            if (held < 0) {
                throw new IllegalStateException(
                        connection + " gives back " + bytes + " bytes but held only " + (held + bytes));
            }
            brokerHeld -= bytes;
            if (held == 0) {
                connectionHeld.remove(connection);
            } else {
                connectionHeld.put(connection, held);
            }
            grants = grantWaiting();
        }
        runAll(grants);
    }

    /** Bytes held by all calls. */
    public synchronized long held() {
        return brokerHeld;
    }

    /** Requests waiting for bytes. */
    synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Takes the bytes of every waiting request that fits, in arrival order, up to the first one that the
     * broker-wide limit holds back; returns their callbacks, to run once the lock is released.
     */
    private List<Runnable> grantWaiting() {
        List<Runnable> grants = new ArrayList<>();
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request request = it.next();
            long onConnection = heldBy(request.connection);
            if (!fits(onConnection, request.min, connectionLimit)) {
                continue;
            }
            if (!fits(brokerHeld, request.min, brokerLimit)) {
                break;
            }
            long room = Math.min(brokerLimit - brokerHeld, connectionLimit - onConnection);
            long bytes = Math.max(request.min, Math.min(request.max, room));
            hold(request.connection, bytes);
            it.remove();
            Timer.Timeout deadline = request.deadline;
            grants.add(() -> {
                if (deadline != null) {
                    deadline.cancel();
                }
                request.granted.accept(bytes);
            });
        }
        return grants;
    }

    /** Runs every callback even if one throws, so no granted request is left without its answer. */
    private static void runAll(List<Runnable> grants) {
        RuntimeException failure = null;
        for (Runnable grant : grants) {
            try {
                grant.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether {@code bytes} more may be held where {@code held} are: they fit, or nothing else is held. */
    private static boolean fits(long held, long bytes, long limit) {
        return held == 0 || held + bytes <= limit;
    }

    private long heldBy(Object connection) {
        return connectionHeld.getOrDefault(connection, 0L);
    }

    private void hold(Object connection, long bytes) {
        brokerHeld += bytes;
        connectionHeld.merge(connection, bytes, Long::sum);
    }
}
