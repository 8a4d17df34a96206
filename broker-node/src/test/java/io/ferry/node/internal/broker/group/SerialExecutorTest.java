package io.ferry.node.internal.broker.group;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
