package io.ferry.replication;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** A {@link Timer} driven by the test: tasks run inside {@link #advance}, which also moves {@link #clock}. */
final class ManualTimer implements Timer {

    private record Task(long dueMs, Runnable task, boolean[] cancelled) {}

    private final List<Task> tasks = new ArrayList<>();
    private long nowMs;

    @Override
    public synchronized Timeout schedule(long delayMs, Runnable task) {
        boolean[] cancelled = {false};
        tasks.add(new Task(nowMs + delayMs, task, cancelled));
        return () -> {
            synchronized (ManualTimer.this) {
                cancelled[0] = true;
            }
        };
    }

    /** The time as this timer sees it: it moves only with {@link #advance}. */
    InstantSource clock() {
        return () -> {
            synchronized (ManualTimer.this) {
                return Instant.ofEpochMilli(nowMs);
            }
        };
    }

    void advance(long ms) {
        List<Runnable> due = new ArrayList<>();
        synchronized (this) {
            nowMs += ms;
            tasks.removeIf(t -> {
                if (t.dueMs() <= nowMs) {
                    if (!t.cancelled()[0]) {
                        due.add(t.task());
                    }
                    return true;
                }
                return false;
            });
        }
        due.forEach(Runnable::run);
    }

    synchronized int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled()[0]).count();
    }
}
