// Ferry's twin of the Kafka peer's src/E2eLatency.java (shared/peers/kafka), so the two are measured
// by the same method: one record at a time, producer linger.ms=0 + acks=<acks>, consumer assigned to
// partition 0 with fetch.max.wait.ms=0, wait until the record is read back, then send the next one.
// Also reports the producer ack latency (send().get()) of each record.
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerryE2eLatency.java <bootstrap> <topic> <numRecords> <acks> <recordSize>
// The topic must exist (1 partition). Bounded: numRecords iterations, 10 s poll cap per record.
// With -Dferry.e2e.trace=<file> it also writes each measured record's offset and System.nanoTime() at send,
// ack and read-back to <file> (after the run), for benchmarks/latency/breakdown.py; the method is unchanged.
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class FerryE2eLatency {
    public static void main(String[] a) throws Exception {
        String bootstrap = a[0], topic = a[1], acks = a[3];
        int n = Integer.parseInt(a[2]), size = Integer.parseInt(a[4]);
        TopicPartition tp = new TopicPartition(topic, 0);
        long[] e2e = new long[n], ack = new long[n];
        long[] offsets = new long[n], sentAt = new long[n];
        Random random = new Random(42);
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS, bootstrap, ProducerConfig.ACKS, acks, ProducerConfig.LINGER_MS, "0")));
             FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS, bootstrap, ConsumerConfig.FETCH_MAX_WAIT_MS, "0")))) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            int warm = Math.min(500, n / 10);
            for (int i = -warm; i < n; i++) {
                byte[] value = new byte[size];
                random.nextBytes(value);
                long t0 = System.nanoTime();
                long offset = producer.send(new ProducerRecord(topic, 0, null, null, value, List.of()))
                        .get()
                        .offset();
                long t1 = System.nanoTime();
                boolean got = false;
                long deadline = t0 + 10_000_000_000L;
                while (!got && System.nanoTime() < deadline) {
                    for (ConsumerRecord r : consumer.poll(Duration.ofMillis(10))) {
                        if (Arrays.equals(r.value(), value)) {
                            got = true;
                        }
                    }
                }
                long t2 = System.nanoTime();
                if (!got) {
                    throw new IllegalStateException("record " + i + " not read back within 10 s");
                }
                if (i >= 0) {
                    ack[i] = t1 - t0;
                    e2e[i] = t2 - t0;
                    offsets[i] = offset;
                    sentAt[i] = t0;
                }
            }
        }
        String traceFile = System.getProperty("ferry.e2e.trace");
        if (traceFile != null) {
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(traceFile)))) {
                out.println("offset\tsend_ns\tack_ns\tread_ns");
                for (int i = 0; i < n; i++) {
                    out.println(offsets[i] + "\t" + sentAt[i] + "\t" + (sentAt[i] + ack[i]) + "\t" + (sentAt[i] + e2e[i]));
                }
            }
        }
        System.out.println("RESULT e2e_" + stats(e2e) + " ack_" + stats(ack).replace(" ", " ack_"));
    }

    static String stats(long[] x) {
        long[] s = x.clone();
        Arrays.sort(s);
        double avg = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format("avg_ms=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f n=%d", avg,
                s[(int) (s.length * 0.5)] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[(int) (s.length * 0.999)] / 1e6,
                s[s.length - 1] / 1e6, s.length);
    }
}
