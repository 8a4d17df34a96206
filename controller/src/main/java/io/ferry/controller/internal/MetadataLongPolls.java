package io.ferry.controller.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FetchMetadata calls held until this controller applies a version newer than their caller's, or until their
 * wait runs out (a long poll: a broker learns a change as soon as its controller applies it, where polling
 * would add up to a poll interval to every topic creation and every failover; Kafka's brokers fetch the
 * metadata log the same way). Each held call is answered once, on this class's own thread, never on the
 * thread that applied the change (the Raft apply thread must not build answers).
 *
 * <p>At most {@link #MAX_HELD} calls are held; a call beyond that, or one whose caller is already behind, is
 * answered at once. Thread-safe.
 */
public final class MetadataLongPolls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataLongPolls.class);

    /** Calls held at once: a broker holds one; anything beyond is answered without waiting. */
    static final int MAX_HELD = 1_024;

    private final LongSupplier version;
    private final ScheduledExecutorService thread;
    /** Guarded by {@code this}. */
    private final List<Held> held = new ArrayList<>();

    private static final class Held {
        final long sinceVersion;
        final Runnable answer;
        ScheduledFuture<?> timeout;

        Held(long sinceVersion, Runnable answer) {
            this.sinceVersion = sinceVersion;
            this.answer = answer;
        }
    }

    /**
     * @param version the applied metadata version now
     * @param thread  answers the held calls and times them out; shut down by {@link #close()}
     */
    public MetadataLongPolls(LongSupplier version, ScheduledExecutorService thread) {
        this.version = version;
        this.thread = thread;
    }

    /**
     * Runs {@code answer} once the applied version is above {@code sinceVersion}, or after {@code maxWaitMs},
     * on this class's thread; at once, on the caller's thread, when it already is, when {@code maxWaitMs} is 0,
     * when {@link #MAX_HELD} calls are held, or after {@link #close()}.
     */
    public void answerWhenNewer(long sinceVersion, long maxWaitMs, Runnable answer) {
        if (maxWaitMs <= 0 || version.getAsLong() > sinceVersion || !hold(sinceVersion, maxWaitMs, answer)) {
            answer.run();
        }
    }

    private boolean hold(long sinceVersion, long maxWaitMs, Runnable answer) {
        Held call = new Held(sinceVersion, answer);
        synchronized (this) {
            if (held.size() >= MAX_HELD) {
                return false;
            }
            try {
                call.timeout = thread.schedule(() -> answerIfHeld(call), maxWaitMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return false;
            }
            held.add(call);
        }
        // A version applied between the check and holding the call must not leave it waiting.
        if (version.getAsLong() > sinceVersion) {
            versionApplied();
        }
        return true;
    }

    /** A newer version was applied: answers, on this class's thread, every held call it is newer for. */
    public void versionApplied() {
        try {
            thread.execute(this::answerNewer);
        } catch (RejectedExecutionException e) {
            // Closed: every held call was answered.
        }
    }

    private void answerNewer() {
        long now = version.getAsLong();
        List<Held> due = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held call = it.next();
                if (call.sinceVersion < now) {
                    it.remove();
                    due.add(call);
                }
            }
        }
        for (Held call : due) {
            call.timeout.cancel(false);
            answer(call);
        }
    }

    private void answerIfHeld(Held call) {
        boolean wasHeld;
        synchronized (this) {
            wasHeld = held.remove(call);
        }
        if (wasHeld) {
            answer(call);
        }
    }

    /** One call's failure to be answered (its caller went away) must not cost the others theirs. */
    private static void answer(Held call) {
        try {
            call.answer.run();
        } catch (RuntimeException e) {
            LOG.debug("A held FetchMetadata call could not be answered", e);
        }
    }

    /** Calls held now. */
    synchronized int heldCount() {
        return held.size();
    }

    /** Answers every held call now and stops the thread. */
    @Override
    public void close() {
        List<Held> all;
        synchronized (this) {
            all = new ArrayList<>(held);
            held.clear();
        }
        thread.shutdownNow();
        all.forEach(MetadataLongPolls::answer);
    }
}
