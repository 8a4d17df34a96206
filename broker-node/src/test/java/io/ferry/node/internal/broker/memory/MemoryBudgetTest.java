package io.ferry.node.internal.broker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.replication.Timer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Calls take bytes from a broker-wide and a per-connection limit, wait in arrival order when there is no
 * room, and are all served eventually, whatever their size, once the bytes held are given back.
 */
class MemoryBudgetTest {

    private static final Object A = "connection A";
    private static final Object B = "connection B";

    /** Deadlines not yet cancelled; the test runs them. */
    private final List<Runnable> deadlines = new ArrayList<>();

    private final Timer timer = (delayMs, task) -> {
        deadlines.add(task);
        return () -> deadlines.remove(task);
    };

    /** What one request was granted: -1 until its callback runs. */
    private static final class Grant {
        long bytes = -1;

        void accept(long granted) {
            assertEquals(-1, bytes, "granted twice");
            bytes = granted;
        }
    }

    private Grant take(MemoryBudget budget, Object connection, long min, long max) {
        Grant grant = new Grant();
        budget.take(connection, min, max, 1_000, grant::accept);
        return grant;
    }

    @Test
    void aRequestGetsWhatFitsOfItsRangeAndWaitsWhenNotEvenItsMinimumFits() {
        MemoryBudget budget = new MemoryBudget(100, 100, timer);

        assertEquals(60, take(budget, A, 10, 60).bytes);
        assertEquals(40, take(budget, B, 30, 90).bytes, "the rest of the room, above the minimum");
        Grant waiting = take(budget, B, 10, 10);
        assertEquals(-1, waiting.bytes);

        budget.release(A, 60);

        assertEquals(10, waiting.bytes);
        assertEquals(50, budget.held());
    }

    @Test
    void noLaterRequestPassesOneThatWaitsForBrokerWideRoom() {
        MemoryBudget budget = new MemoryBudget(100, 100, timer);
        take(budget, A, 90, 90);
        Grant large = take(budget, B, 50, 50);
        Grant small = take(budget, B, 5, 5);

        assertEquals(-1, small.bytes, "5 bytes fit, but a request for 50 came first");
        assertFalse(budget.tryTake(B, 1), "not even without waiting");
        budget.release(A, 90);

        assertEquals(50, large.bytes);
        assertEquals(5, small.bytes);
    }

    @Test
    void aRequestLargerThanTheLimitIsGrantedOnceNothingElseIsHeld() {
        MemoryBudget budget = new MemoryBudget(100, 100, timer);
        take(budget, A, 30, 30);
        Grant huge = take(budget, B, 250, 400);
        assertEquals(-1, huge.bytes);

        budget.release(A, 30);

        assertEquals(250, huge.bytes, "alone, it gets its minimum even above the limit");
        assertEquals(-1, take(budget, A, 1, 1).bytes, "and nothing else until it is given back");
    }

    @Test
    void aConnectionAtItsLimitWaitsAloneWhileOthersGoOn() {
        MemoryBudget budget = new MemoryBudget(100, 40, timer);
        take(budget, A, 40, 40);
        Grant sameConnection = take(budget, A, 10, 10);

        assertEquals(-1, sameConnection.bytes);
        assertEquals(40, take(budget, B, 40, 40).bytes, "only A's own calls can make room for A");
        budget.release(A, 40);
        assertEquals(10, sameConnection.bytes);
    }

    @Test
    void aRequestThatMayNotWaitOrWhoseDeadlinePassesGetsNothing() {
        MemoryBudget budget = new MemoryBudget(100, 100, timer);
        take(budget, A, 100, 100);
        Grant now = new Grant();
        budget.take(B, 1, 1, 0, now::accept);
        assertEquals(0, now.bytes, "answered at once");

        Grant later = take(budget, B, 1, 1);
        List.copyOf(deadlines).forEach(Runnable::run);
        assertEquals(0, later.bytes);
        budget.release(A, 100);
        assertEquals(0, later.bytes, "it no longer waits");
        assertEquals(0, budget.held());
    }

    @Test
    void aWithdrawnRequestIsNeverGrantedAndNoLongerHoldsBackThoseBehindIt() {
        MemoryBudget budget = new MemoryBudget(100, 100, timer);
        take(budget, A, 80, 80);
        Grant withdrawn = new Grant();
        MemoryBudget.Request first = budget.take(B, 50, 50, 1_000, withdrawn::accept);
        Grant behind = take(budget, B, 20, 20);

        assertTrue(first.withdraw());

        assertEquals(20, behind.bytes);
        budget.release(A, 80);
        assertEquals(-1, withdrawn.bytes);
        assertFalse(first.withdraw(), "already settled");
        assertTrue(deadlines.isEmpty(), "the withdrawn and the granted request's deadlines are cancelled");
    }
}
