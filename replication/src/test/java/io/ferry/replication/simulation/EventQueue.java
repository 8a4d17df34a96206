package io.ferry.replication.simulation;

import java.time.Instant;
import java.time.InstantSource;
import java.util.PriorityQueue;

/**
 * The simulation's only source of time and concurrency: a queue of events ordered by due time, then by
 * the order they were scheduled. Running an event moves the clock to its due time. Everything the replicas
 * do (timer tasks, fetcher steps, message deliveries) is an event, run one at a time on the test's thread,
 * so a seed determines the whole run.
 *
 * <p>Not thread-safe: one simulation, one thread.
 */
final class EventQueue {

    private record Event(long dueMs, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(dueMs, other.dueMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** Where the simulated clock starts: far from 0, so that no "unset" time can pass for a real one. */
    static final long START_MS = 1_000_000;

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final InstantSource clock = new InstantSource() {
        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nowMs);
        }

        @Override
        public long millis() {
            return nowMs;
        }
    };
    private long nowMs = START_MS;
    private long scheduled;
    private long executed;

    InstantSource clock() {
        return clock;
    }

    long nowMs() {
        return nowMs;
    }

    /** How many events have run: the simulation's logical time, finer than its milliseconds. */
    long eventsRun() {
        return executed;
    }

    /** Runs {@code action} {@code delayMs} from now (at once if not positive), after everything already due then. */
    void schedule(long delayMs, Runnable action) {
        queue.add(new Event(nowMs + Math.max(0, delayMs), scheduled++, action));
    }

    /** Runs {@code action} at {@code dueMs}, or now if that has passed. */
    void scheduleAt(long dueMs, Runnable action) {
        queue.add(new Event(Math.max(nowMs, dueMs), scheduled++, action));
    }

    /**
     * Runs the next event if one is due by {@code untilMs}.
     *
     * @return false when none is (the clock then stands at {@code untilMs})
     */
    boolean runNext(long untilMs) {
        Event next = queue.peek();
        if (next == null || next.dueMs() > untilMs) {
            nowMs = Math.max(nowMs, untilMs);
            return false;
        }
        queue.poll();
        nowMs = next.dueMs();
        executed++;
        next.action().run();
        return true;
    }
}
