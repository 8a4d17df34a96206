package io.ferry.replication.simulation;

/**
 * One incarnation of a simulated node: from start to crash. Timer tasks, executor tasks and message
 * deliveries bound to it run only while it lasts, so a crashed broker's process leaves nothing behind.
 */
final class Lifetime {

    private boolean alive = true;

    boolean isAlive() {
        return alive;
    }

    void end() {
        alive = false;
    }

    /** {@code action}, made to do nothing once this lifetime has ended. */
    Runnable bind(Runnable action) {
        return () -> {
            if (alive) {
                action.run();
            }
        };
    }
}
