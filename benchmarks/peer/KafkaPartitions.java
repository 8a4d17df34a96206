// Apache Kafka 4.4's twin of benchmarks/peer/FerryPartitions.java (same steps, same method, same output; see
// its header). Run by bin/bench-replicated's `partitions` case against the peer's three-node cluster:
//   java -cp '<peer>/lib/*' benchmarks/peer/KafkaPartitions.java <step> <bootstrap> ...
// The propagation step asks each broker on its own (the Admin client routes a request to any node): a
// MetadataRequest built and serialized with kafka-clients' own protocol classes (MetadataRequest.Builder,
// RequestHeader, serializeWithHeader, AbstractResponse.parseResponse), 4-byte length-prefixed, over a plain socket
// to each broker, which answers from its own metadata cache.
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class KafkaPartitions {
    static final long WAIT_MS = 900_000;   // bound of every wait: 15 minutes
    /** Below KRaft's limit of 10,000 records per operation: a topic record and one record per partition. */
    static final int MAX_PARTITIONS_PER_OPERATION = 5_000;
    static final long POLL_MS = 200;
    /** The propagation step's bounds: rounds, one round's wait, and the poll interval of each broker. */
    static final int MAX_ROUNDS = 100;
    static final long ROUND_WAIT_MS = 60_000;
    static final long PROPAGATION_POLL_MS = 5;

    public static void main(String[] a) throws Exception {
        String step = a[0], bs = a[1];
        switch (step) {
            case "create" -> create(bs, a[2], Integer.parseInt(a[3]));
            case "produce" -> produce(bs, a[2], Long.parseLong(a[3]), Integer.parseInt(a[4]));
            case "controller" -> {
                try (Admin admin = admin(bs)) {
                    System.out.println("RESULT controller="
                            + admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS).leaderId());
                }
            }
            case "failover" -> failover(bs, a[2], Integer.parseInt(a[3]), Path.of(a[4]), Integer.parseInt(a[5]));
            case "full-isr" -> {
                long ms = awaitFullIsr(bs, a[2], Integer.parseInt(a[3]));
                System.out.println("RESULT full_isr_ms=" + (ms - Long.parseLong(a[4])));
            }
            case "propagation" -> propagation(bs, a[2], a.length > 3 ? Integer.parseInt(a[3]) : 5);
            default -> throw new IllegalArgumentException("unknown step " + step);
        }
    }

    static Admin admin(String bs) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "120000");
        return Admin.create(p);
    }

    static void create(String bs, String topic, int partitions) throws Exception {
        long t0 = System.currentTimeMillis();
        try (Admin admin = admin(bs)) {
            // KRaft refuses an operation of more than 10,000 metadata records (one per partition), so a larger
            // topic is created in steps, as a Kafka operator has to.
            int first = Math.min(partitions, MAX_PARTITIONS_PER_OPERATION);
            admin.createTopics(List.of(new NewTopic(topic, first, (short) 3)
                            .configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
            for (int count = first; count < partitions; ) {
                count = Math.min(partitions, count + MAX_PARTITIONS_PER_OPERATION);
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(count)))
                        .all()
                        .get(WAIT_MS, TimeUnit.MILLISECONDS);
            }
        }
        long created = System.currentTimeMillis();
        long ready = awaitFullIsr(bs, topic, partitions);
        Map<Integer, Integer> leaders = new TreeMap<>();
        for (TopicPartitionInfo p : describe(bs, topic)) {
            leaders.merge(p.leader() == null ? -1 : p.leader().id(), 1, Integer::sum);
        }
        long writable = awaitWritable(bs, topic, partitions);
        System.out.println("RESULT create_ms=" + (ready - t0) + " answered_ms=" + (created - t0) + " writable_ms="
                + (writable - t0) + " leaders=" + leaders.toString().replace(" ", ""));
    }

    /**
     * The wall-clock time at which one acks=all record sent to every partition, from when the controller
     * reported full ISRs, was acknowledged: every broker has opened its logs and leads or follows.
     */
    static long awaitWritable(String bs, String topic, int partitions) throws Exception {
        CountDownLatch acked = new CountDownLatch(partitions);
        AtomicReference<String> firstError = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bs)) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>(topic, p, null, new byte[100]), (md, e) -> {
                    if (e != null) firstError.compareAndSet(null, e.toString());
                    acked.countDown();
                });
            }
            producer.flush();
            acked.await(WAIT_MS, TimeUnit.MILLISECONDS);
        }
        if (firstError.get() != null) throw new IllegalStateException("a first record failed: " + firstError.get());
        return System.currentTimeMillis();
    }

    static List<TopicPartitionInfo> describe(String bs, String topic) throws Exception {
        try (Admin admin = admin(bs)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(120, TimeUnit.SECONDS).get(topic).partitions();
        }
    }

    /** The wall-clock time at which every partition had a leader and all three replicas in its ISR. */
    static long awaitFullIsr(String bs, String topic, int partitions) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        try (Admin admin = admin(bs)) {
            while (System.currentTimeMillis() < deadline) {
                try {
                    List<TopicPartitionInfo> ps = admin.describeTopics(List.of(topic))
                            .allTopicNames().get(60, TimeUnit.SECONDS).get(topic).partitions();
                    if (ps.size() == partitions && ps.stream().allMatch(p -> p.leader() != null && p.isr().size() == 3)) {
                        return System.currentTimeMillis();
                    }
                } catch (Exception e) {
                    // the cluster may still be electing or the node starting: ask again
                }
                Thread.sleep(POLL_MS);
            }
        }
        throw new IllegalStateException(topic + ": not every partition had a full ISR within " + WAIT_MS + " ms");
    }

    static KafkaProducer<byte[], byte[]> producer(String bs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static void produce(String bs, String topic, long records, int keys) throws Exception {
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'x');
        byte[][] keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ("k" + k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        AtomicLong acked = new AtomicLong(), failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(bs)) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, keyBytes[(int) (i % keys)], value), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    } else {
                        acked.incrementAndGet();
                    }
                    if (acked.get() + failed.get() == records) done.countDown();
                });
            }
            producer.flush();
            done.await(WAIT_MS, TimeUnit.MILLISECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("RESULT rec_s=%.0f records=%d acked=%d errors=%d seconds=%.1f firstError=%s%n",
                acked.get() / seconds, records, acked.get(), failed.get(), seconds,
                String.valueOf(firstError.get()).replace(' ', '_'));
    }

    static void failover(String bs, String topic, int partitions, Path pidDir, int node) throws Exception {
        long pid = Long.parseLong(Files.readString(pidDir.resolve("node" + node + ".pid")).trim());
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
        byte[] value = new byte[100];
        AtomicLong lastAck = new AtomicLong(), failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(partitions);
        java.util.Queue<Long> ackTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        // Which partitions the killed node led: their acks wait for an election, the others' for the ISR change.
        java.util.Set<Integer> ledByVictim = new java.util.HashSet<>();
        for (TopicPartitionInfo p : describe(bs, topic)) {
            if (p.leader() != null && p.leader().id() == node) ledByVictim.add(p.partition());
        }
        java.util.Queue<Long> movedAckTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bs)) {
            // The producer knows every leader before the kill, as a running application's would.
            producer.send(new ProducerRecord<>(topic, 0, null, value)).get(60, TimeUnit.SECONDS);
            long killT = System.currentTimeMillis();
            victim.destroyForcibly(); // SIGKILL
            for (int p = 0; p < partitions; p++) {
                boolean moved = ledByVictim.contains(p);
                producer.send(new ProducerRecord<>(topic, p, null, value), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                    long now = System.currentTimeMillis();
                    lastAck.accumulateAndGet(now, Math::max);
                    ackTimes.add(now);
                    if (moved) movedAckTimes.add(now);
                    done.countDown();
                });
            }
            producer.flush();
            done.await(WAIT_MS, TimeUnit.MILLISECONDS);
            victim.onExit().get(10, TimeUnit.SECONDS);
            long[] sorted = ackTimes.stream().mapToLong(t -> t - killT).sorted().toArray();
            long[] moved = movedAckTimes.stream().mapToLong(t -> t - killT).sorted().toArray();
            System.out.printf("RESULT all_writable_ms=%d p50_ms=%d p90_ms=%d moved_p50_ms=%d moved_max_ms=%d partitions=%d "
                            + "moved=%d errors=%d killed=%d firstError=%s%n",
                    lastAck.get() - killT, sorted[sorted.length / 2], sorted[sorted.length * 9 / 10],
                    moved.length == 0 ? -1 : moved[moved.length / 2], moved.length == 0 ? -1 : moved[moved.length - 1],
                    partitions, moved.length, failed.get(), node,
                    String.valueOf(firstError.get()).replace(' ', '_'));
        }
    }

    /**
     * Metadata propagation, measured as FerryPartitions' step of the same name: per round, the time from sending
     * the create request until every broker, asked on its own, shows the new topic with a leader.
     */
    static void propagation(String bs, String topic, int rounds) throws Exception {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds must be 1.." + MAX_ROUNDS + ", was " + rounds);
        }
        List<BrokerProbe> brokers = new ArrayList<>();
        for (String address : bs.split(",")) {
            int colon = address.lastIndexOf(':');
            brokers.add(new BrokerProbe(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(brokers.size());
        double[] allMs = new double[rounds], answeredMs = new double[rounds];
        double[][] brokerMs = new double[brokers.size()][rounds];
        try (Admin admin = admin(bs)) {
            for (BrokerProbe broker : brokers) {
                broker.shows(topic + "-prop-warm-up", false); // connections open before the first round
            }
            admin.listTopics().names().get(60, TimeUnit.SECONDS); // and the admin's
            for (int r = 0; r < rounds; r++) {
                String name = topic + "-prop-" + r;
                long t0 = System.nanoTime();
                var created = admin.createTopics(List.of(new NewTopic(name, 1, (short) 3))).all()
                        .thenApply(v -> System.nanoTime());
                List<Future<Long>> seen = new ArrayList<>();
                for (BrokerProbe broker : brokers) {
                    seen.add(pool.submit(() -> broker.await(name, true, t0)));
                }
                answeredMs[r] = (created.get(ROUND_WAIT_MS, TimeUnit.MILLISECONDS) - t0) / 1e6;
                for (int b = 0; b < brokers.size(); b++) {
                    brokerMs[b][r] = (seen.get(b).get() - t0) / 1e6;
                    allMs[r] = Math.max(allMs[r], brokerMs[b][r]);
                }
                admin.deleteTopics(List.of(name)).all().get(ROUND_WAIT_MS, TimeUnit.MILLISECONDS);
                long gone = System.nanoTime();
                for (BrokerProbe broker : brokers) {
                    broker.await(name, false, gone);
                }
            }
        } finally {
            pool.shutdownNow();
            for (BrokerProbe broker : brokers) broker.close();
        }
        printPropagation(allMs, answeredMs, brokerMs);
    }

    /**
     * One broker's own metadata view: MetadataRequests over one socket to that broker, built, framed and parsed
     * by kafka-clients' request classes. Not thread-safe: one thread at a time.
     */
    static final class BrokerProbe implements AutoCloseable {
        final String host;
        final int port;
        final short version = ApiKeys.METADATA.latestVersion();
        Socket socket;
        int correlationId;

        BrokerProbe(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** The time (monotonic ns) at which the broker first showed {@code topic} with a leader (or no longer showed it). */
        long await(String topic, boolean present, long t0) throws Exception {
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(ROUND_WAIT_MS);
            while (System.nanoTime() < deadline) {
                try {
                    if (shows(topic, present) == present) return System.nanoTime();
                } catch (IOException e) {
                    close(); // the broker did not answer this time: a new connection, and ask again
                }
                Thread.sleep(PROPAGATION_POLL_MS);
            }
            throw new IllegalStateException("broker " + host + ":" + port + (present ? " did not show " : " still showed ")
                    + topic + (present ? " with a leader" : "") + " within " + ROUND_WAIT_MS + " ms");
        }

        /** Whether the broker's metadata cache holds {@code topic} with a leader ({@code withLeader}) or at all. */
        boolean shows(String topic, boolean withLeader) throws IOException {
            MetadataResponseTopic t = request(topic).data().topics().stream()
                    .filter(x -> topic.equals(x.name()))
                    .findFirst()
                    .orElseThrow(() -> new IOException("no entry for " + topic + " in the metadata response"));
            if (t.errorCode() != Errors.NONE.code()) return false;
            return !withLeader || (!t.partitions().isEmpty() && t.partitions().get(0).leaderId() >= 0);
        }

        MetadataResponse request(String topic) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.connect(new InetSocketAddress(host, port), 5_000);
                socket.setSoTimeout(5_000);
                socket.setTcpNoDelay(true);
            }
            RequestHeader header = new RequestHeader(ApiKeys.METADATA, version, "partitions-propagation", ++correlationId);
            ByteBuffer request = new MetadataRequest.Builder(List.of(topic), false).build(version).serializeWithHeader(header);
            byte[] bytes = new byte[request.remaining()];
            request.get(bytes);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(bytes.length); // the size prefix of Kafka's framing
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return (MetadataResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }

        @Override
        public void close() {
            if (socket == null) return;
            try {
                socket.close();
            } catch (IOException e) {
                // closing a broken connection: nothing to do
            }
            socket = null;
        }
    }

    static void printPropagation(double[] allMs, double[] answeredMs, double[][] brokerMs) {
        StringBuilder perBroker = new StringBuilder();
        for (double[] ms : brokerMs) perBroker.append(perBroker.isEmpty() ? "" : "/").append(fmt(median(ms)));
        StringBuilder each = new StringBuilder();
        for (double ms : allMs) each.append(each.isEmpty() ? "" : "/").append(fmt(ms));
        System.out.println("RESULT p50_ms=" + fmt(median(allMs)) + " max_ms=" + fmt(Arrays.stream(allMs).max().orElseThrow())
                + " rounds=" + allMs.length + " answered_p50_ms=" + fmt(median(answeredMs)) + " broker_p50_ms="
                + perBroker + " round_ms=" + each);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static String fmt(double ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms);
    }
}
