package io.ferry.systemtests;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Reads a group's committed offsets ({@link FerryAdmin#listConsumerGroupOffsets}) over and over in a thread of
 * its own, through whatever happens to the coordinator, and keeps what it saw: for each partition, the highest
 * committed offset known by a given time, and every time a partition's committed offset was lower than one seen
 * before, or gone (a committed offset lost, e.g. by a new coordinator that did not load it).
 *
 * <p>Times are wall-clock milliseconds ({@link System#currentTimeMillis}) taken when an answer arrived: the
 * offsets in it were committed by then. A read that fails (while no coordinator answers) is counted and retried.
 *
 * <p>Thread-safe: the watch thread writes, the test thread reads, under this object's lock.
 */
final class CommittedOffsetsWatch implements AutoCloseable {

    private static final Duration INTERVAL = Duration.ofMillis(150);

    private final FerryAdmin admin;
    private final String group;
    private final Thread thread;
    /** Per partition: answer time to the highest committed offset seen by then (a step only when it rose). */
    private final Map<TopicPartition, NavigableMap<Long, Long>> highest = new HashMap<>();

    private final List<String> stepsBack = new ArrayList<>();
    private long reads;
    private long failedReads;
    private String lastFailure = "none";

    private volatile boolean stopping;

    CommittedOffsetsWatch(FerryAdmin admin, String group) {
        this.admin = admin;
        this.group = group;
        this.thread = new Thread(this::run, "committed-offsets-watch-" + group);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (!stopping) {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group);
                observed(committed, System.currentTimeMillis());
            } catch (FerryException e) {
                synchronized (this) {
                    failedReads++;
                    lastFailure = e.toString();
                }
            }
            try {
                Thread.sleep(INTERVAL.toMillis()); // the sampling interval, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One answer, which arrived at {@code atMillis}; the watch thread's, or a test's. */
    synchronized void observed(Map<TopicPartition, OffsetAndMetadata> committed, long atMillis) {
        reads++;
        highest.forEach((tp, steps) -> {
            OffsetAndMetadata now = committed.get(tp);
            long before = steps.lastEntry().getValue();
            if (now == null || now.offset() < before) {
                stepsBack.add(tp + ": committed offset " + (now == null ? "gone" : now.offset()) + " at " + atMillis
                        + " after " + before + " at " + steps.lastKey());
            }
        });
        committed.forEach((tp, offset) -> {
            NavigableMap<Long, Long> steps = highest.computeIfAbsent(tp, k -> new TreeMap<>());
            if (steps.isEmpty() || offset.offset() > steps.lastEntry().getValue()) {
                steps.put(atMillis, offset.offset());
            }
        });
    }

    /** The highest committed offset of {@code tp} seen in an answer that arrived before {@code atMillis}; 0 if none. */
    synchronized long committedBefore(TopicPartition tp, long atMillis) {
        NavigableMap<Long, Long> steps = highest.get(tp);
        Map.Entry<Long, Long> step = steps == null ? null : steps.lowerEntry(atMillis);
        return step == null ? 0 : step.getValue();
    }

    /** The highest committed offset seen of each partition so far. */
    synchronized Map<TopicPartition, Long> highest() {
        Map<TopicPartition, Long> out = new HashMap<>();
        highest.forEach((tp, steps) -> out.put(tp, steps.lastEntry().getValue()));
        return out;
    }

    /** Every answer in which a committed offset was lower than before, or gone. */
    synchronized List<String> stepsBack() {
        return List.copyOf(stepsBack);
    }

    synchronized String summary() {
        return reads + " read(s) of the committed offsets, " + failedReads + " failed (last: " + lastFailure + ")";
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
