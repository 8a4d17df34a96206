package io.ferry.replication.simulation;

import io.ferry.replication.Timer;

/** The replication {@link Timer} of one broker process: each task is an event of the simulation. */
final class SimulatedTimer implements Timer {

    private final EventQueue events;
    private final Lifetime lifetime;

    SimulatedTimer(EventQueue events, Lifetime lifetime) {
        this.events = events;
        this.lifetime = lifetime;
    }

    @Override
    public Timeout schedule(long delayMs, Runnable task) {
        boolean[] cancelled = {false};
        events.schedule(delayMs, lifetime.bind(() -> {
            if (!cancelled[0]) {
                task.run();
            }
        }));
        return () -> cancelled[0] = true;
    }
}
