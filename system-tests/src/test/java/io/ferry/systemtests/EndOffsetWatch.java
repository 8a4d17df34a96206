package io.ferry.systemtests;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndTimestamp;
import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks for a partition's end offset (ListOffsets latest) every few milliseconds on its own thread, as a
 * consumer computing its lag would, and records every answer lower than one before it: across a leader
 * change the end offset must never step back (KIP-207). Bounded by a count and a duration.
 */
final class EndOffsetWatch implements AutoCloseable {

    private static final int MAX_ASKS = 100_000;

    private final TopicPartition tp;
    private final FerryAdmin admin;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final List<String> stepsBack = new ArrayList<>();
    private long answers;
    private long highest = -1;

    EndOffsetWatch(String bootstrap, TopicPartition tp, Duration atMost) {
        this.tp = tp;
        this.admin = new FerryAdmin(AdminConfig.of(Map.of(
                AdminConfig.BOOTSTRAP_SERVERS, bootstrap, "default.api.timeout.ms", "5000", "retry.backoff.ms", "20")));
        this.thread = new Thread(() -> watch(System.nanoTime() + atMost.toNanos()), "end-offset-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch(long deadlineNanos) {
        for (int i = 0; i < MAX_ASKS && !stop.get() && System.nanoTime() < deadlineNanos; i++) {
            try {
                OffsetAndTimestamp end =
                        admin.listOffsets(Map.of(tp, FerryAdmin.LATEST)).get(tp);
                synchronized (this) {
                    answers++;
                    if (end != null && end.offset() < highest) {
                        stepsBack.add(highest + " -> " + end.offset());
                    }
                    highest = Math.max(highest, end == null ? -1 : end.offset());
                }
            } catch (FerryException e) {
                // No leader for a moment, or the deadline: ask again.
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The answers lower than an earlier one, as "earlier -> later". */
    synchronized List<String> stepsBack() {
        return List.copyOf(stepsBack);
    }

    synchronized long answers() {
        return answers;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
        admin.close();
    }
}
