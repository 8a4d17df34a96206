package io.ferry.systemtests;

import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proves a partition takes {@code acks=all} writes: sends one new value at a time (never the same one
 * twice, see {@link LoadGenerator}) until one is acknowledged, and records it in the ledger.
 */
final class WriteProbe {

    private static final int MAX_ATTEMPTS = 200;

    private WriteProbe() {}

    /**
     * @return the acknowledged record's position
     * @throws AssertionError if no send succeeds within {@code timeout}, with the last error
     */
    static RecordMetadata awaitWritable(String bootstrap, TopicPartition tp, AckLedger ledger, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastError = "none";
        String probe = "probe-" + UUID.randomUUID() + "-"; // unique across calls, as every value must be
        try (FerryProducer producer =
                new FerryProducer(ProducerConfig.of(LoadGenerator.producerConfig(bootstrap, "probe-" + tp)))) {
            for (int attempt = 0; attempt < MAX_ATTEMPTS && System.nanoTime() < deadline; attempt++) {
                String value = probe + attempt;
                try {
                    RecordMetadata m = producer.send(new ProducerRecord(
                                    tp.topic(), tp.partition(), null, value.getBytes(StandardCharsets.UTF_8)))
                            .get(20, TimeUnit.SECONDS);
                    ledger.acknowledged(m.partition(), m.offset(), value);
                    return m;
                } catch (ExecutionException | TimeoutException e) {
                    lastError = value + ": " + (e.getCause() == null ? e : e.getCause());
                }
                Thread.sleep(200); // pacing between attempts, each with a new value; not a condition wait
            }
        }
        throw new AssertionError(tp + " took no acks=all write within " + timeout + "; last error: " + lastError);
    }
}
