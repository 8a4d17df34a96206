package io.ferry.node.internal.threads;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.RecordedFatalErrors.Recorded;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every way a task's Error could vanish on a node's executors ends at the fatal-error handler; nothing else does. */
class NodeThreadsTest {

    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final NodeThreads threads = fatalErrors.threads();
    private final ScheduledExecutorService scheduled = threads.scheduled("test-scheduled", 1);
    private final ExecutorService single = threads.single("test-single");

    @AfterEach
    void stop() {
        scheduled.shutdownNow();
        single.shutdownNow();
    }

    @Test
    void aCancelledTimeoutLeavesTheQueueAtOnce() {
        // Every long-poll schedules its timeout and cancels it when answered: none may wait in the queue.
        Future<?> timeout = scheduled.schedule(() -> {}, 1, TimeUnit.HOURS);
        timeout.cancel(false);
        assertEquals(0, ((ScheduledThreadPoolExecutor) scheduled).getQueue().size());
    }

    @Test
    void anErrorThatCancelsAPeriodicTaskIsReported() {
        StackOverflowError injected = new StackOverflowError("periodic");
        scheduled.scheduleWithFixedDelay(
                () -> {
                    throw injected;
                },
                0,
                10,
                TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fatalErrors.recorded().equals(List.of(new Recorded("test-scheduled", injected))));
    }

    @Test
    void anErrorInAScheduledOrSubmittedTaskIsReportedThoughItsFutureHoldsIt() throws Exception {
        OutOfMemoryError once = new OutOfMemoryError("scheduled");
        OutOfMemoryError submitted = new OutOfMemoryError("submitted");
        Future<?> first = scheduled.schedule(
                () -> {
                    throw once;
                },
                1,
                TimeUnit.MILLISECONDS);
        Future<?> second = scheduled.submit(() -> {
            throw submitted;
        });
        assertThrows(ExecutionException.class, first::get);
        assertThrows(ExecutionException.class, second::get);
        // Which of the two runs first depends on how long the submit took after the schedule.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Set.copyOf(fatalErrors.recorded())
                        .equals(Set.of(
                                new Recorded("test-scheduled", once), new Recorded("test-scheduled", submitted))));
    }

    @Test
    void anErrorThatEndsAThreadIsReported() {
        OutOfMemoryError injected = new OutOfMemoryError("executed");
        single.execute(() -> {
            throw injected;
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fatalErrors.recorded().equals(List.of(new Recorded("test-single", injected))));
    }

    @Test
    void exceptionsAreNotFatal() throws Exception {
        Future<?> failed = scheduled.submit(() -> {
            throw new IllegalStateException("the caller's to handle");
        });
        assertThrows(ExecutionException.class, failed::get);
        single.execute(() -> {
            throw new IllegalStateException("logged; the pool makes a new thread");
        });
        CountDownLatch ranAfter = new CountDownLatch(2);
        single.execute(ranAfter::countDown);
        scheduled.execute(ranAfter::countDown);
        assertTrue(ranAfter.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(), fatalErrors.recorded());
    }
}
