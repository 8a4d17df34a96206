package io.ferry.replication.internal;

import io.ferry.replication.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Requests waiting on keys (Kafka's "purgatory"): an operation is watched under every key it waits
 * on (its partitions), checked again when {@link #checkAndComplete} is called for one of them, and
 * expired by one shared {@link Timer}. A completed operation leaves every watch list at once, so a
 * partition that never changes again holds no dead requests. The operations under a key are checked in
 * the order they started watching it, so the same events complete them in the same order every run (a
 * simulation replays a seed exactly).
 *
 * <p>A live key (a partition the broker hosts) keeps its watch list when the list empties: a follower's
 * long-poll watches every partition of its fetch session, once per replicated batch, and building a new list
 * for each of them each time was a measurable share of a leader's CPU and garbage. A list is dropped once it is
 * empty and its key no longer live, by {@link #forget} or by the last operation leaving it.
 *
 * <p>Thread-safe: a key's watch list is changed inside the map's {@code compute} for that key and read
 * under the list's own lock.
 *
 * @param <K> the key type, a partition
 */
public final class DelayedOperations<K> {

    private final Timer timer;
    private final Predicate<K> live;
    private final Map<K, Set<DelayedOperation>> watchers = new ConcurrentHashMap<>();

    /** @param live whether a key is still in use, so its watch list is worth keeping while empty */
    public DelayedOperations(Timer timer, Predicate<K> live) {
        this.timer = timer;
        this.live = live;
    }

    /**
     * Completes {@code op} now if it can; otherwise watches it under {@code keys} until a check completes
     * it or its delay passes.
     *
     * @return whether it completed immediately
     */
    public boolean tryCompleteElseWatch(DelayedOperation op, Collection<K> keys) {
        if (op.tryComplete()) {
            return true;
        }
        for (K key : keys) {
            // Added inside compute so a concurrent removal of an emptied set cannot orphan it.
            watchers.compute(key, (k, set) -> {
                Set<DelayedOperation> ops = set != null ? set : new LinkedHashSet<>();
                synchronized (ops) {
                    ops.add(op);
                }
                return ops;
            });
        }
        // However it completes from now on, it leaves every list at once: a check through one key would
        // otherwise leave it on the others until they change, and a follower's fetch completed by the one
        // partition written to stayed on its idle partitions' lists (and in the heap) for good.
        op.leaveOnCompletion(() -> unwatch(op, keys));
        // A change between the first check and the watch would have found nothing to wake: check again.
        if (op.tryComplete()) {
            return true;
        }
        op.setTimeout(timer.schedule(op.delayMs(), op::expire));
        return false;
    }

    /**
     * Tries to complete every operation watching {@code key}.
     *
     * @return how many this call completed
     */
    public int checkAndComplete(K key) {
        Set<DelayedOperation> ops = watchers.get(key);
        if (ops == null) {
            return 0;
        }
        int done = 0;
        for (DelayedOperation op : copy(ops)) {
            if (op.isCompleted()) {
                unwatch(op, List.of(key));
            } else if (op.tryComplete()) {
                done++;
            }
        }
        return done;
    }

    /**
     * Tries to complete every operation watching any of {@code keys}, each once however many of them it
     * watches: a metadata view that changes thousands of partitions would otherwise check a follower's fetch
     * of all of them once per partition, a square of the partition count.
     *
     * @return how many this call completed
     */
    public int checkAndComplete(Collection<K> keys) {
        // Each operation with the keys it was found under, the watch lists a completed one leaves.
        Map<DelayedOperation, List<K>> ops = new LinkedHashMap<>();
        for (K key : keys) {
            Set<DelayedOperation> watching = watchers.get(key);
            if (watching != null) {
                for (DelayedOperation op : copy(watching)) {
                    ops.computeIfAbsent(op, o -> new ArrayList<>()).add(key);
                }
            }
        }
        int done = 0;
        for (Map.Entry<DelayedOperation, List<K>> entry : ops.entrySet()) {
            DelayedOperation op = entry.getKey();
            if (op.isCompleted()) {
                unwatch(op, entry.getValue());
            } else if (op.tryComplete()) {
                done++;
            }
        }
        return done;
    }

    private void unwatch(DelayedOperation op, Collection<K> keys) {
        for (K key : keys) {
            watchers.computeIfPresent(key, (k, set) -> {
                synchronized (set) {
                    set.remove(op);
                    return set.isEmpty() && !live.test(k) ? null : set;
                }
            });
        }
    }

    /**
     * Drops the watch list of a key that is no longer live if nothing watches it; an operation still watching
     * it drops it when it leaves. Call it after the key stopped being live.
     */
    public void forget(K key) {
        watchers.computeIfPresent(key, (k, set) -> {
            synchronized (set) {
                return set.isEmpty() && !live.test(k) ? null : set;
            }
        });
    }

    /** How many keys hold a watch list, empty or not. */
    int listCount() {
        return watchers.size();
    }

    private static List<DelayedOperation> copy(Set<DelayedOperation> ops) {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    /** Operations currently watched (each counted once per key). */
    public int watchedCount() {
        int count = 0;
        for (Set<DelayedOperation> ops : watchers.values()) {
            synchronized (ops) {
                count += ops.size();
            }
        }
        return count;
    }

    /** Completes every waiting operation now (at shutdown), so no caller waits for a timer that is gone. */
    public void completeAll() {
        for (Set<DelayedOperation> ops : watchers.values()) {
            for (DelayedOperation op : copy(ops)) {
                op.forceComplete();
            }
        }
        watchers.clear();
    }
}
