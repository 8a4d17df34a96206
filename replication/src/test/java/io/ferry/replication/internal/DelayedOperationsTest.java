package io.ferry.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.replication.Timer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Waiting requests checked when their keys change: once per change, whatever its size. */
class DelayedOperationsTest {

    /** Never fires: the tests complete operations by checks only. */
    private static final Timer NEVER = (delayMs, task) -> () -> {};

    /** An operation that counts its checks and completes once {@code ready} is set. */
    private static final class Counted extends DelayedOperation {
        int checks;
        volatile boolean ready;
        int completions;

        Counted() {
            super(60_000);
        }

        @Override
        public boolean tryComplete() {
            checks++;
            return ready && forceComplete();
        }

        @Override
        protected void onComplete() {
            completions++;
        }
    }

    private final DelayedOperations<Integer> waiting = new DelayedOperations<>(NEVER, key -> false);
    private final List<Integer> partitions = IntStream.range(0, 10_000).boxed().toList();

    @Test
    void aChangeOfManyKeysChecksEachWaitingOperationOnce() {
        Counted followerFetch = new Counted();
        Counted consumerFetch = new Counted();
        assertFalse(waiting.tryCompleteElseWatch(followerFetch, partitions));
        assertFalse(waiting.tryCompleteElseWatch(consumerFetch, List.of(7)));
        int followerChecksBefore = followerFetch.checks;
        int consumerChecksBefore = consumerFetch.checks;

        assertEquals(0, waiting.checkAndComplete(partitions));
        assertEquals(1, followerFetch.checks - followerChecksBefore, "not once per key it watches");
        assertEquals(1, consumerFetch.checks - consumerChecksBefore);
        assertEquals(partitions.size() + 1, waiting.watchedCount());

        followerFetch.ready = true;
        consumerFetch.ready = true;
        assertEquals(2, waiting.checkAndComplete(partitions));
        assertEquals(1, followerFetch.completions);
        assertEquals(1, consumerFetch.completions);
        assertEquals(0, waiting.watchedCount(), "a completed operation leaves every list it was found in");
    }

    @Test
    void anOperationCompletedElsewhereLeavesEveryListAtOnce() {
        Counted fetch = new Counted();
        waiting.tryCompleteElseWatch(fetch, partitions);
        assertTrue(fetch.forceComplete());
        int checks = fetch.checks;

        assertEquals(0, waiting.watchedCount());
        assertEquals(0, waiting.checkAndComplete(partitions.subList(0, 100)));
        assertEquals(checks, fetch.checks, "a completed operation is not checked");
    }

    @Test
    void aLiveKeyKeepsItsEmptyListAndAForgottenOneDropsIt() {
        Set<Integer> hosted = new HashSet<>(Set.of(1, 2));
        DelayedOperations<Integer> byPartition = new DelayedOperations<>(NEVER, hosted::contains);
        Counted fetch = new Counted();
        byPartition.tryCompleteElseWatch(fetch, List.of(1, 2, 3));
        assertEquals(3, byPartition.listCount());

        fetch.ready = true;
        assertEquals(1, byPartition.checkAndComplete(List.of(1, 2, 3)));
        assertEquals(0, byPartition.watchedCount());
        assertEquals(2, byPartition.listCount(), "the hosted partitions keep theirs; 3 is not hosted");

        Counted waitingOn2 = new Counted();
        byPartition.tryCompleteElseWatch(waitingOn2, List.of(2));
        hosted.clear();
        byPartition.forget(1);
        byPartition.forget(2);
        assertEquals(1, byPartition.listCount(), "2 is still watched");

        assertTrue(waitingOn2.forceComplete());
        byPartition.checkAndComplete(2);
        assertEquals(0, byPartition.listCount(), "the last operation leaving a forgotten key drops its list");
    }

    @Test
    void anOperationCompletedThroughOneKeyLeavesEveryList() {
        Counted followerFetch = new Counted();
        waiting.tryCompleteElseWatch(followerFetch, List.of(1, 2, 3, 4));

        followerFetch.ready = true;
        assertEquals(1, waiting.checkAndComplete(3));

        assertEquals(0, waiting.watchedCount(), "not left on the lists of the keys that did not change");
    }

    @Test
    void aTimeoutScheduledAfterTheOperationCompletedElsewhereIsCancelledAndItLeavesEveryList() {
        List<Boolean> cancelled = new ArrayList<>();
        Counted fetch = new Counted();
        // The operation completes on another thread between its last check and its timeout being set.
        Timer completingFirst = (delayMs, task) -> {
            assertTrue(fetch.forceComplete());
            cancelled.add(false);
            return () -> cancelled.set(0, true);
        };
        DelayedOperations<Integer> racing = new DelayedOperations<>(completingFirst, key -> false);

        assertFalse(racing.tryCompleteElseWatch(fetch, List.of(1, 2)));

        assertEquals(List.of(true), cancelled, "else the timer holds the operation for its whole delay");
        assertEquals(0, racing.watchedCount());
    }
}
