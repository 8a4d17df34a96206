// Issue 19's latency at a fixed rate, the twin of FerryPacedLatency.java (the same method, line for line, with
// kafka-clients): one acks=all producer (linger.ms=0, the client's defaults otherwise) paced at <rate>
// records/s to partition 0, and in the same JVM one consumer
// assigned to that partition (its default long-poll fetch). Each record carries the System.nanoTime() at which
// it was due. Its end-to-end latency runs from then until the consumer returns it, its ack latency from then
// until its acknowledgement, so a stall in sending counts instead of hiding (no coordinated omission).
//   java -cp 'bench-out/kafka-peer/lib/*' benchmarks/peer/KafkaPacedLatency.java <bootstrap> <topic> <rate> <seconds> <warmupSeconds> <recordSize>
// The topic must exist with one partition. Records due in the first <warmupSeconds> are sent and not counted.
// Prints RESULT: records sent, acknowledged, failed and read, then the e2e latency at the percentiles
// benchmarks/latency/plot.py draws (p50 ... p99.99, max) and the ack latency's p50, p99, p99.9 and max, in ms
// (HdrHistogram, microseconds, 3 digits).
// Bounded: <seconds> of load with at most one second of records in flight (a send beyond that waits, its
// latency counting from when it was due), then at most 30 s for the last acks and reads.
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

public class KafkaPacedLatency {
    static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
    static final long TAIL_NANOS = TimeUnit.SECONDS.toNanos(30);

    public static void main(String[] a) throws Exception {
        String bootstrap = a[0], topic = a[1];
        long rate = Long.parseLong(a[2]), seconds = Long.parseLong(a[3]), warmup = Long.parseLong(a[4]);
        int size = Integer.parseInt(a[5]);
        long total = rate * seconds;
        TopicPartition tp = new TopicPartition(topic, 0);
        Histogram e2e = new ConcurrentHistogram(3), ack = new ConcurrentHistogram(3);
        AtomicLong acked = new AtomicLong(), failed = new AtomicLong(), read = new AtomicLong();
        Semaphore inFlight = new Semaphore((int) rate);
        byte[] padding = new byte[Math.max(0, size - Long.BYTES)];
        new Random(42).nextBytes(padding);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                        "bootstrap.servers", bootstrap, "acks", "all", "linger.ms", "0"),
                        new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                        "bootstrap.servers", bootstrap, "enable.auto.commit", "false"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            producer.partitionsFor(topic); // metadata before the clock starts
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            long start = System.nanoTime(), counted = start + TimeUnit.SECONDS.toNanos(warmup);
            Thread reader = new Thread(() -> {
                long deadline = start + TimeUnit.SECONDS.toNanos(seconds) + TAIL_NANOS;
                while (read.get() < total && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime(), due = ByteBuffer.wrap(r.value()).getLong();
                        if (due >= counted) {
                            e2e.recordValue((now - due) / 1_000);
                        }
                        read.incrementAndGet();
                    }
                }
            }, "paced-reader");
            reader.setDaemon(true); // never keeps the JVM up if main fails
            reader.start();
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!inFlight.tryAcquire(TAIL_NANOS, TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException("no acknowledgement for 30 s with " + rate + " records in flight");
                }
                byte[] value = ByteBuffer.allocate(Long.BYTES + padding.length).putLong(due).put(padding).array();
                producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
                    if (e == null) {
                        if (due >= counted) {
                            ack.recordValue((System.nanoTime() - due) / 1_000);
                        }
                        acked.incrementAndGet();
                    } else if (failed.incrementAndGet() <= 10) {
                        System.err.println("send failed: " + e);
                    }
                    inFlight.release();
                });
            }
            inFlight.tryAcquire((int) rate, TAIL_NANOS, TimeUnit.NANOSECONDS);
            reader.join(TimeUnit.NANOSECONDS.toMillis(TAIL_NANOS));
        }
        StringBuilder e2eFigures = new StringBuilder();
        for (double p : PERCENTILES) {
            e2eFigures.append(String.format(" e2e_p%s_ms=%.3f", Double.toString(p).replace(".", "").replaceAll("0$", ""),
                    ms(e2e, p)));
        }
        System.out.printf("RESULT rate=%d sent=%d acked=%d failed=%d read=%d counted=%d%s e2e_max_ms=%.3f "
                        + "ack_p50_ms=%.3f ack_p99_ms=%.3f ack_p999_ms=%.3f ack_max_ms=%.3f%n",
                rate, total, acked.get(), failed.get(), read.get(), e2e.getTotalCount(), e2eFigures,
                e2e.getMaxValue() / 1e3, ms(ack, 50), ms(ack, 99), ms(ack, 99.9), ack.getMaxValue() / 1e3);
    }

    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(percentile) / 1e3;
    }
}
