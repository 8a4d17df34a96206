// The Kafka side of bin/bench-compaction (issue 14): writes the dirty log, then (with "release") lets the
// cleaner at it.
//   java -cp '<kafka peer>/lib/*' benchmarks/peer/KafkaDirtyLog.java <bootstrap> <topic> <numRecords> <keySpace> <valueSize> <batchSize> <lingerMs> [release]
// 1. sends numRecords records to partition 0 with acks=1: each value is one payload of random capital
//    letters made once (as ProducerPerformance's), each key String.format("key-%08d", k) with
//    k = new Random(42).nextInt(keySpace): the sequence of `ferry perf produce --key-space`
//    (cli/.../KeySpace.java), so both brokers get the same records;
// 2. flushes, prints ProducerPerformance's summary figures on one line;
// 3. with "release", deletes the topic's min.compaction.lag.ms override (the script creates the topic with a long lag so
//    that no pass starts while the log is being written), so the next cleaner check cleans every sealed
//    segment in one pass.
// The topic must exist (1 partition). Bounded: numRecords sends; the flush and the config change wait at
// most delivery.timeout.ms (120 s) and 60 s.
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

public class KafkaDirtyLog {
    public static void main(String[] a) throws Exception {
        String bootstrap = a[0], topic = a[1];
        long n = Long.parseLong(a[2]);
        int keySpace = Integer.parseInt(a[3]), size = Integer.parseInt(a[4]);
        Properties pp = new Properties();
        pp.put("bootstrap.servers", bootstrap);
        pp.put("acks", "1");
        pp.put("batch.size", a[5]);
        pp.put("linger.ms", a[6]);
        pp.put("key.serializer", ByteArraySerializer.class.getName());
        pp.put("value.serializer", ByteArraySerializer.class.getName());
        byte[] value = new byte[size];
        Random letters = new Random();
        for (int i = 0; i < size; i++) value[i] = (byte) ('A' + letters.nextInt(26));
        Random keys = new Random(42);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            for (long i = 0; i < n && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, 0, key(keys.nextInt(keySpace)), value), (m, e) -> {
                    if (e == null) acked.incrementAndGet(); else failure.compareAndSet(null, e);
                });
            }
            producer.flush();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) throw new IllegalStateException("a send failed", failure.get());
        System.out.printf("%d records sent, %.1f records/sec (%.2f MB/sec) in %.1f s%n",
                acked.get(), acked.get() / secs, acked.get() * (double) size / secs / (1024 * 1024), secs);
        if (a.length < 8 || !a[7].equals("release")) return;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            AlterConfigOp release = new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", ""), AlterConfigOp.OpType.DELETE);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(release))).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println("min.compaction.lag.ms override deleted");
    }

    // String.format("key-%08d", k) without the formatter (a microsecond a record), as KeySpace.key does.
    static byte[] key(int k) {
        int digits = 8;
        for (int rest = k / 100_000_000; rest > 0; rest /= 10) digits++;
        byte[] key = new byte[4 + digits];
        key[0] = 'k'; key[1] = 'e'; key[2] = 'y'; key[3] = '-';
        for (int i = key.length - 1, rest = k; i >= 4; i--, rest /= 10) key[i] = (byte) ('0' + rest % 10);
        return key;
    }
}
