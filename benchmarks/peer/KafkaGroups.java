// Consumer groups on Apache Kafka 4.4 with the KIP-848 protocol (group.protocol=consumer), the twin of
// benchmarks/peer/FerryGroups.java (same method, same events, same output; see its header). Run by
// bin/bench-replicated against the peer's three-node cluster:
//   java -cp '<peer>/lib/*' benchmarks/peer/KafkaGroups.java rebalance <bootstrap> <topic> <rounds> <this file>
//   java -cp '<peer>/lib/*' benchmarks/peer/KafkaGroups.java commits <bootstrap> <topic> <threads> <seconds> [<warmup-seconds>]
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaGroups {
    static final int PARTITIONS = 6;
    static final long EVENT_TIMEOUT_MS = 150_000;
    static final OffsetAndMetadata COMMIT_ZERO = new OffsetAndMetadata(0);

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "rebalance" -> rebalance(a[1], a[2], Integer.parseInt(a[3]), a[4]);
            case "commits" -> commits(
                    a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]), a.length > 5 ? Integer.parseInt(a[5]) : 1);
            case "member" -> childMember(a[1], a[2], a[3]);
            default -> throw new IllegalArgumentException("mode must be rebalance, commits or member: " + a[0]);
        }
    }

    // --- what each member owns and has consumed, as the parent sees it -----------------------------
    /** member -> (partition -> the time it was given the partition) */
    static final Map<String, Map<Integer, Long>> owned = new ConcurrentHashMap<>();
    /** member -> (partition -> the newest send time of a record it consumed since it was given it) */
    static final Map<String, Map<Integer, Long>> consumed = new ConcurrentHashMap<>();

    static void assigned(String member, Collection<Integer> partitions) {
        long now = System.currentTimeMillis();
        Map<Integer, Long> mine = owned.computeIfAbsent(member, m -> new ConcurrentHashMap<>());
        partitions.forEach(p -> mine.put(p, now));
    }

    static void revoked(String member, Collection<Integer> partitions) {
        partitions.forEach(p -> {
            owned.getOrDefault(member, Map.of()).remove(p);
            consumed.getOrDefault(member, Map.of()).remove(p);
        });
    }

    static void polled(String member, int partition, long sentMs) {
        consumed.computeIfAbsent(member, m -> new ConcurrentHashMap<>()).merge(partition, sentMs, Math::max);
    }

    static void gone(String member) {
        owned.remove(member);
        consumed.remove(member);
    }

    /** Every member in {@code expected} owns {@code each} partitions, together all, and consumed each anew. */
    static boolean settled(Set<String> expected, int each, long eventMs) {
        Set<Integer> all = new TreeSet<>();
        for (String member : expected) {
            Map<Integer, Long> mine = owned.getOrDefault(member, Map.of());
            if (mine.size() != each) {
                return false;
            }
            for (Map.Entry<Integer, Long> e : mine.entrySet()) {
                long since = Math.max(eventMs, e.getValue());
                if (consumed.getOrDefault(member, Map.of()).getOrDefault(e.getKey(), -1L) <= since) {
                    return false;
                }
                all.add(e.getKey());
            }
        }
        return all.size() == PARTITIONS;
    }

    static long awaitSettled(String event, Set<String> expected, int each, long eventMs) throws InterruptedException {
        while (System.currentTimeMillis() - eventMs < EVENT_TIMEOUT_MS) {
            if (settled(expected, each, eventMs)) {
                long ms = System.currentTimeMillis() - eventMs;
                System.err.println(event + ": settled after " + ms + " ms: " + owned);
                return ms;
            }
            Thread.sleep(5);
        }
        System.err.println(event + ": not settled in " + EVENT_TIMEOUT_MS + " ms: " + owned + " consumed " + consumed);
        return -1;
    }

    // --- members -----------------------------------------------------------------------------------
    static KafkaConsumer<String, String> consumer(String bootstrap, String group, Map<String, String> extra) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("group.protocol", "consumer");
        props.put("auto.offset.reset", "latest");
        props.putAll(extra);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Polls until told to stop, then closes (leaving the group); reports through the callbacks. */
    static void runMember(
            String bootstrap,
            String topic,
            String group,
            AtomicBoolean stop,
            BiConsumer<Boolean, Collection<Integer>> ownership,
            BiConsumer<Integer, Long> record) {
        long deadline = System.currentTimeMillis() + 30 * 60_000;
        try (KafkaConsumer<String, String> c = consumer(bootstrap, group, Map.of())) {
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    ownership.accept(false, partitions.stream().map(TopicPartition::partition).toList());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    ownership.accept(true, partitions.stream().map(TopicPartition::partition).toList());
                }
            });
            while (!stop.get() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    record.accept(r.partition(), Long.parseLong(r.value()));
                }
            }
        }
    }

    static final class LocalMember {
        final String name;
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        LocalMember(String name, String bootstrap, String topic, String group) {
            this.name = name;
            this.thread = new Thread(
                    () -> runMember(
                            bootstrap,
                            topic,
                            group,
                            stop,
                            (given, ps) -> {
                                if (given) {
                                    assigned(name, ps);
                                } else {
                                    revoked(name, ps);
                                }
                            },
                            (p, sent) -> polled(name, p, sent)),
                    "member-" + name);
            thread.start();
        }

        /** Closes the consumer (a graceful leave) and waits for it. */
        void leave() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
            gone(name);
        }
    }

    /** Member C in a child JVM: reports ownership and consumption on stdout, one line each. */
    static void childMember(String bootstrap, String topic, String group) {
        Map<Integer, Long> reported = new ConcurrentHashMap<>();
        runMember(
                bootstrap,
                topic,
                group,
                new AtomicBoolean(),
                (given, ps) -> {
                    ps.forEach(reported::remove);
                    System.out.println((given ? "ASSIGNED " : "REVOKED ") + ps.stream()
                            .map(String::valueOf)
                            .collect(Collectors.joining(",")));
                    System.out.flush();
                },
                (p, sent) -> {
                    // At most one line per partition each 20 ms: a send time newer than the last reported.
                    Long last = reported.get(p);
                    if (last == null || sent > last + 20) {
                        reported.put(p, sent);
                        System.out.println("POLLED " + p + " " + sent);
                        System.out.flush();
                    }
                });
    }

    static Process startChild(String self, String bootstrap, String topic, String group) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        String logging = System.getProperty("log4j2.configurationFile");
        if (logging != null) {
            command.add("-Dlog4j2.configurationFile=" + logging);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), self, "member", bootstrap, topic, group));
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = line.split(" ");
                    try {
                        List<Integer> ps = f.length < 2 || f[1].isEmpty()
                                ? List.of()
                                : Arrays.stream(f[1].split(",")).map(Integer::valueOf).toList();
                        switch (f[0]) {
                            case "ASSIGNED" -> assigned("C", ps);
                            case "REVOKED" -> revoked("C", ps);
                            case "POLLED" -> polled("C", Integer.parseInt(f[1]), Long.parseLong(f[2]));
                            default -> System.err.println("C: " + line);
                        }
                    } catch (RuntimeException e) {
                        System.err.println("C: " + line);
                    }
                }
            } catch (Exception e) {
                // the child was killed
            }
        }, "child-reader");
        reader.setDaemon(true);
        reader.start();
        return child;
    }

    static void rebalance(String bootstrap, String topic, int rounds, String self) throws Exception {
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            Properties props = new Properties();
            props.put("bootstrap.servers", bootstrap);
            props.put("acks", "1");
            props.put("linger.ms", "0");
            try (KafkaProducer<String, String> p =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                long deadline = System.currentTimeMillis() + 60 * 60_000;
                while (producing.get() && System.currentTimeMillis() < deadline) {
                    String now = String.valueOf(System.currentTimeMillis());
                    for (int partition = 0; partition < PARTITIONS; partition++) {
                        p.send(new ProducerRecord<>(topic, partition, null, now));
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "producer");
        producer.start();
        try {
            for (int round = 1; round <= rounds; round++) {
                String group = "rebalance-" + round + "-" + UUID.randomUUID();
                owned.clear();
                consumed.clear();
                LocalMember a = new LocalMember("A", bootstrap, topic, group);
                Process c = startChild(self, bootstrap, topic, group);
                LocalMember b = null;
                try {
                    if (awaitSettled("start", Set.of("A", "C"), 3, System.currentTimeMillis()) < 0) {
                        System.out.println("RESULT round=" + round + " join_ms=-1 leave_ms=-1 kill_ms=-1");
                        continue;
                    }
                    long t0 = System.currentTimeMillis();
                    b = new LocalMember("B", bootstrap, topic, group);
                    long join = awaitSettled("join", Set.of("A", "B", "C"), 2, t0);

                    t0 = System.currentTimeMillis();
                    b.leave();
                    long leave = awaitSettled("leave", Set.of("A", "C"), 3, t0);

                    b = new LocalMember("B", bootstrap, topic, group);
                    awaitSettled("rejoin", Set.of("A", "B", "C"), 2, System.currentTimeMillis());
                    t0 = System.currentTimeMillis();
                    c.destroyForcibly();
                    gone("C");
                    long kill = awaitSettled("kill", Set.of("A", "B"), 3, t0);
                    System.out.println(
                            "RESULT round=" + round + " join_ms=" + join + " leave_ms=" + leave + " kill_ms=" + kill);
                } finally {
                    c.destroyForcibly();
                    a.leave();
                    if (b != null) {
                        b.leave();
                    }
                }
            }
        } finally {
            producing.set(false);
            producer.join(30_000);
        }
    }

    // --- commit throughput ---------------------------------------------------------------------------
    static void commits(String bootstrap, String topic, int threads, int seconds, int warmupSeconds) throws Exception {
        String group = "commits-" + UUID.randomUUID();
        // The window opens warmupSeconds after every committer's first commit: the first one may create the
        // offsets topic and wait for its coordinator to load, and the commits before it warm both JVMs up.
        long[] window = new long[2];
        CyclicBarrier ready = new CyclicBarrier(threads, () -> {
            window[0] = System.currentTimeMillis() + warmupSeconds * 1000L;
            window[1] = window[0] + seconds * 1000L;
        });
        AtomicLong counted = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] micros = new long[2_000_000];
            latencies.add(micros);
            int partition = t % PARTITIONS;
            Thread w = new Thread(() -> {
                int n = 0;
                try (KafkaConsumer<String, String> c =
                        consumer(bootstrap, group, Map.of("enable.auto.commit", "false"))) {
                    TopicPartition tp = new TopicPartition(topic, partition);
                    c.assign(List.of(tp));
                    c.commitSync(Map.of(tp, COMMIT_ZERO));
                    ready.await(120, TimeUnit.SECONDS);
                    long start = window[0];
                    long end = window[1];
                    for (long offset = 1; System.currentTimeMillis() < end && offset < Integer.MAX_VALUE; offset++) {
                        long begin = System.nanoTime();
                        c.commitSync(Map.of(tp, new OffsetAndMetadata(offset)));
                        long done = System.currentTimeMillis();
                        if (done >= start && done < end && n < micros.length - 1) {
                            micros[++n] = (System.nanoTime() - begin) / 1000;
                            counted.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("committer " + partition + " failed", e);
                }
                micros[0] = n;
            }, "committer-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join(seconds * 1000L + 120_000);
        }
        long[] all = latencies.stream()
                .flatMapToLong(m -> Arrays.stream(m, 1, (int) m[0] + 1))
                .sorted()
                .toArray();
        System.out.printf(
                "RESULT commits=%d commits_s=%.1f p50_ms=%.3f p99_ms=%.3f%n",
                counted.get(),
                counted.get() / (double) seconds,
                all.length == 0 ? -1 : all[all.length / 2] / 1000.0,
                all.length == 0 ? -1 : all[(int) (all.length * 0.99)] / 1000.0);
    }
}
