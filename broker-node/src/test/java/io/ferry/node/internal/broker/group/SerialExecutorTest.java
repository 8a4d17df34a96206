package io.ferry.node.internal.broker.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasksRunOneAtATimeInOrderOnASharedPoolAndAFailingOneDoesNotStopTheOthers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool, "test");
            List<Integer> ran = new CopyOnWriteArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            IntStream.range(0, 1_000)
                    .forEach(i -> serial.execute(() -> {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        ran.add(i);
                        running.decrementAndGet();
                        if (i == 10) {
                            throw new IllegalStateException("task 10 fails");
                        }
                    }));
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 1_000);
            assertEquals(IntStream.range(0, 1_000).boxed().toList(), ran);
            assertEquals(1, mostAtOnce.get());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTurnOnThePoolRunsTheTasksQueuedUpToItsShareThenGivesThePoolBack() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(1);
        AtomicInteger turns = new AtomicInteger();
        Executor pool = task -> {
            turns.incrementAndGet();
            threads.execute(task);
        };
        try {
            SerialExecutor serial = new SerialExecutor(pool, "test");
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            serial.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int queued = 3 * SerialExecutor.TASKS_PER_TURN;
            IntStream.range(0, queued).forEach(i -> serial.execute(ran::incrementAndGet));
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == queued);
            // One turn per TASKS_PER_TURN tasks (the first ran the blocking one too), not one per task.
            assertEquals(4, turns.get());
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
