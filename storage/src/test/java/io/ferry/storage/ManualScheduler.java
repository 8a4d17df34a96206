package io.ferry.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Records scheduled tasks and runs them only when told; immediate tasks run at once. */
final class ManualScheduler extends ScheduledThreadPoolExecutor {

    private final List<Runnable> delayed = new ArrayList<>();
    private long lastDelayMs = -1;

    ManualScheduler() {
        super(1);
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        delayed.add(command);
        lastDelayMs = unit.toMillis(delay);
        return null;
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    synchronized void runAll() {
        List<Runnable> tasks = new ArrayList<>(delayed);
        delayed.clear();
        tasks.forEach(Runnable::run);
    }

    synchronized long lastDelayMs() {
        return lastDelayMs;
    }
}
