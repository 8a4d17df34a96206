package io.ferry.replication.simulation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * The notable events of a run, with their simulated time: crashes and restarts, cut and healed links,
 * controller decisions, acknowledgements. Kept when a seed is replayed, to read what led to a violation;
 * off (and free) in the runs over many seeds.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class Trace {

    private static final int KEPT = 200_000;

    private final EventQueue events;
    private final boolean on;
    private final Deque<String> lines = new ArrayDeque<>();

    Trace(EventQueue events, boolean on) {
        this.events = events;
        this.on = on;
    }

    void note(Supplier<String> line) {
        if (on) {
            if (lines.size() == KEPT) {
                lines.removeFirst();
            }
            lines.addLast(String.format(
                    "%7d ms #%-7d %s", events.nowMs() - EventQueue.START_MS, events.eventsRun(), line.get()));
        }
    }

    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}
