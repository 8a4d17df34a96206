package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderKillTest} with Kafka's own producer on the brokers' Kafka listeners: kafka-clients 4.4,
 * idempotent, acks=all, retrying through the failover as it would against Kafka. kill -9 of the leader of a
 * partition; the producer must find the new leader from the Kafka Metadata answers and go on, and once the
 * killed broker is back every record the Kafka producer saw acknowledged must be in place, once, at the offset
 * it was acknowledged with, on byte-identical replicas ({@link DurabilityInvariants}).
 */
class KafkaProducerLeaderKillTest {

    private static final String TOPIC = "kafka-leader-kill";
    private static final int PARTITIONS = 3;
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Paced, so that the records last the whole test: unpaced, a fast run sent all of them before the killed
     * broker was back, and the test then waited for acknowledgements of records never sent.
     */
    private static final int RECORDS_PER_SECOND = 2_000;

    private static final Duration MAX_RUN = Duration.ofMinutes(3);
    private static final long MAX_RECORDS = RECORDS_PER_SECOND * MAX_RUN.toSeconds();

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void recordsAKafkaProducerSawAcknowledgedSurviveKillingThePartitionLeader() throws Exception {
        cluster = ProcessCluster.startWithDurableTopic("kafka-leader-kill", TOPIC, PARTITIONS);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int oldLeader = cluster.leader(tp);
        AckLedger ledger = new AckLedger();
        try (KafkaLoad load = new KafkaLoad(cluster.kafkaBootstrap(), ledger)) {
            load.start();
            load.awaitMore(500, Duration.ofSeconds(60));

            cluster.kill(oldLeader);
            int newLeader = cluster.awaitLeader(tp, id -> id != oldLeader, FAILOVER_TIMEOUT);
            load.awaitMoreOn(0, 200, FAILOVER_TIMEOUT);

            cluster.restart(oldLeader);
            load.awaitMore(500, FAILOVER_TIMEOUT);
            System.out.println(
                    "leader of " + tp + " moved from broker " + oldLeader + " to " + newLeader + "; " + load.stop());
        }
        assertTrue(ledger.size() > 1_000, "only " + ledger.size() + " records were acknowledged");
        DurabilityInvariants.verify(
                cluster, TOPIC, ledger, "Kafka producer, leader " + oldLeader + " of " + tp + " killed");
    }

    /**
     * One Kafka producer sending unique values round-robin over the partitions, at most 1,000 unanswered, until
     * stopped, {@link #MAX_RECORDS} sent or {@link #MAX_RUN} over; each acknowledgement goes to the ledger.
     */
    private static final class KafkaLoad implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final AckLedger ledger;
        private final Semaphore unanswered = new Semaphore(1_000);
        private final AtomicLong[] ackedPerPartition = new AtomicLong[PARTITIONS];
        private final AtomicLong failed = new AtomicLong();
        private final AtomicReference<Exception> lastFailure = new AtomicReference<>();
        private final Thread sender;
        private volatile boolean stopped;
        private volatile long sent;

        KafkaLoad(String bootstrap, AckLedger ledger) {
            Properties config = new Properties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
            this.producer = new KafkaProducer<>(config);
            this.ledger = ledger;
            for (int p = 0; p < PARTITIONS; p++) {
                ackedPerPartition[p] = new AtomicLong();
            }
            this.sender = new Thread(this::send, "kafka-load");
        }

        void start() {
            sender.start();
        }

        private void send() {
            long start = System.nanoTime();
            long deadline = start + MAX_RUN.toNanos();
            try {
                for (long i = 0; !stopped && i < MAX_RECORDS && System.nanoTime() < deadline; i++) {
                    if (!unanswered.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        i--;
                        continue;
                    }
                    long aheadMs = (start + i * 1_000_000_000L / RECORDS_PER_SECOND - System.nanoTime()) / 1_000_000;
                    if (aheadMs > 0) {
                        Thread.sleep(aheadMs); // rate pacing, not waiting for a condition
                    }
                    String value = "kafka-" + i;
                    int partition = (int) (i % PARTITIONS);
                    producer.send(new ProducerRecord<>(TOPIC, partition, null, value), (metadata, failure) -> {
                        unanswered.release();
                        if (failure != null) {
                            failed.incrementAndGet();
                            lastFailure.set(failure);
                        } else {
                            ledger.acknowledged(metadata.partition(), metadata.offset(), value);
                            ackedPerPartition[metadata.partition()].incrementAndGet();
                        }
                    });
                    sent = i + 1;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitMore(int acks, Duration timeout) {
            long target = ledger.size() + acks;
            awaitOrExplain(acks + " more acknowledgements", timeout, () -> ledger.size() >= target);
        }

        void awaitMoreOn(int partition, int acks, Duration timeout) {
            long target = ackedPerPartition[partition].get() + acks;
            awaitOrExplain(
                    acks + " more acknowledgements on partition " + partition,
                    timeout,
                    () -> ackedPerPartition[partition].get() >= target);
        }

        /** Waits for {@code done}; a timeout says how far the load got, which tells a stuck producer from a done one. */
        private void awaitOrExplain(String what, Duration timeout, Callable<Boolean> done) {
            try {
                await(what).atMost(timeout).until(done);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(what + " did not come within " + timeout + ": " + progress(), e);
            }
        }

        private String progress() {
            return sent + " sent, " + ledger.size() + " acknowledged, " + failed.get() + " failed"
                    + (lastFailure.get() == null ? "" : " (last: " + lastFailure.get() + ")");
        }

        String stop() throws InterruptedException {
            stopped = true;
            sender.join(TimeUnit.MINUTES.toMillis(1));
            producer.flush();
            return progress();
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            sender.join(TimeUnit.MINUTES.toMillis(1));
            producer.close(Duration.ofSeconds(30));
        }
    }
}
