package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code acks=all} producers in background threads, each sending unique values
 * ({@code p<producer>-<sequence>}) round-robin over a topic's partitions and recording every
 * acknowledgement in an {@link AckLedger}.
 *
 * <p>The producer is idempotent and retries within {@code delivery.timeout.ms}: a resend after a lost
 * answer, to the same leader or to the next one after a failover, must not write a value twice, which
 * {@link DurabilityInvariants} checks. After a failure the application sends the next, new value, so
 * "every acknowledged value exactly once" stays a fair check. A value that failed may still be in the
 * log (the write happened, the answer was lost), at most once.
 *
 * <p>Values are unique only within one generator: use one per topic and ledger. Records have no key unless
 * {@link #keyed} gives them one, derived from the value ({@link #keyOf}), for a compacted topic.
 *
 * <p>Bounded: each producer sends at most {@code ratePerProducer} records a second (so a long run's
 * ledger stays small), and stops after {@code recordsPerProducer} sends or at {@code maxDuration}
 * from {@link #start}, whichever comes first, or at {@link #stop}. Thread-safe.
 */
final class LoadGenerator implements AutoCloseable {

    /** Unanswered sends per producer: enough for batching, small enough to keep memory flat. */
    private static final int MAX_OUTSTANDING = 64;
    /** Pause of a producer thread after a failed send, so a partition without a leader is not hammered. */
    private static final Duration FAILURE_PAUSE = Duration.ofMillis(50);

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** What the producers did. */
    record Summary(long sent, long acknowledged, long failed, String lastFailure) {}

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final int producerCount;
    private final long recordsPerProducer;
    private final int ratePerProducer;
    private final Duration maxDuration;
    private final AckLedger ledger;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("none");
    private final List<Thread> threads = new ArrayList<>();
    private int keySpace;

    LoadGenerator(
            String bootstrap,
            String topic,
            int partitions,
            int producerCount,
            long recordsPerProducer,
            int ratePerProducer,
            Duration maxDuration,
            AckLedger ledger) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.producerCount = producerCount;
        this.recordsPerProducer = recordsPerProducer;
        this.ratePerProducer = ratePerProducer;
        this.maxDuration = maxDuration;
        this.ledger = ledger;
    }

    /** The producer settings: acknowledged by the whole ISR, resent by the client without duplicates. */
    static Map<String, Object> producerConfig(String bootstrap, String clientId) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                ProducerConfig.ACKS,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE,
                true,
                ProducerConfig.LINGER_MS,
                5,
                ProducerConfig.REQUEST_TIMEOUT_MS,
                10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS,
                15_000,
                ProducerConfig.MAX_BLOCK_MS,
                10_000,
                ProducerConfig.CLIENT_ID,
                clientId);
    }

    /** Sends every record with the key {@link #keyOf} its value, over {@code keySpace} keys; call before {@link #start}. */
    LoadGenerator keyed(int keySpace) {
        this.keySpace = keySpace;
        return this;
    }

    /** The key a {@link #keyed} generator sends with {@code value}. */
    static String keyOf(String value, int keySpace) {
        return "k" + Math.floorMod(value.hashCode(), keySpace);
    }

    void start() {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        for (int p = 0; p < producerCount; p++) {
            int producerId = p;
            Thread t = new Thread(() -> run(producerId, deadline), "load-producer-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(int producerId, long deadline) {
        Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
        long failuresSeen = 0;
        long startNanos = System.nanoTime();
        try (FerryProducer producer =
                new FerryProducer(ProducerConfig.of(producerConfig(bootstrap, "load-" + producerId)))) {
            for (long seq = 0; seq < recordsPerProducer && !stopping.get() && System.nanoTime() < deadline; seq++) {
                if (!outstanding.tryAcquire(1, TimeUnit.SECONDS)) {
                    seq--; // nothing sent: the same sequence number is still unused
                    continue;
                }
                long dueNanos = startNanos + seq * 1_000_000_000L / ratePerProducer;
                long aheadMs = (dueNanos - System.nanoTime()) / 1_000_000;
                if (aheadMs > 0) {
                    Thread.sleep(aheadMs); // rate pacing, not waiting for a condition
                }
                String value = "p" + producerId + "-" + seq;
                int partition = (int) ((seq + producerId) % partitions);
                sent.incrementAndGet();
                try {
                    producer.send(
                            new ProducerRecord(
                                    topic,
                                    partition,
                                    keySpace == 0
                                            ? null
                                            : keyOf(value, keySpace).getBytes(StandardCharsets.UTF_8),
                                    value.getBytes(StandardCharsets.UTF_8)),
                            (metadata, error) -> {
                                if (error == null) {
                                    ledger.acknowledged(metadata.partition(), metadata.offset(), value);
                                } else {
                                    failed.incrementAndGet();
                                    lastFailure.set(value + ": " + error);
                                }
                                outstanding.release();
                            });
                } catch (RuntimeException e) { // send() refused it before queueing (metadata, buffer)
                    outstanding.release();
                    failed.incrementAndGet();
                    lastFailure.set(value + ": " + e);
                }
                if (failed.get() > failuresSeen) {
                    failuresSeen = failed.get();
                    Thread.sleep(FAILURE_PAUSE.toMillis()); // pacing after a failure, not waiting for a condition
                }
            }
            producer.close(CLOSE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) { // a producer that cannot start or close: say so where the test looks
            failed.incrementAndGet();
            lastFailure.set("producer " + producerId + " stopped: " + e);
        }
    }

    /**
     * Waits until {@code count} more records than now have been acknowledged: the cluster is taking
     * writes.
     */
    void awaitProgress(int count, Duration timeout) {
        int target = ledger.size() + count;
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> ledger.size() >= target);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "the load did not get " + count + " more records acknowledged within " + timeout
                            + " (acknowledged " + ledger.size() + ", failed " + failed.get() + ", last failure: "
                            + lastFailure.get() + ")",
                    e);
        }
    }

    /** Stops sending, lets each producer finish what it queued (bounded), and says what happened. */
    Summary stop() throws InterruptedException {
        stopping.set(true);
        for (Thread t : threads) {
            t.join(CLOSE_TIMEOUT.plusSeconds(10).toMillis());
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop within " + CLOSE_TIMEOUT.plusSeconds(10));
            }
        }
        return new Summary(sent.get(), ledger.size(), failed.get(), lastFailure.get());
    }

    @Override
    public void close() throws InterruptedException {
        if (!stopping.get()) {
            stop();
        }
    }
}
