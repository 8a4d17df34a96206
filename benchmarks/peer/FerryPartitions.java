// Ferry's twin of benchmarks/peer/KafkaPartitions.java: the steps of bin/bench-replicated's `partitions` case
// (issue 19, many partitions), each measured by the same method on both sides:
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerryPartitions.java <step> <bootstrap> ...
// Steps (each prints one "RESULT k=v ..." line; every loop is bounded in count and time):
//   create <bs> <topic> <partitions>             RF=3, min.insync.replicas=2; time from the request until every
//                                                partition has a leader and a full ISR in the controller's view
//                                                (create_ms), and until one acks=all record sent to each then is
//                                                acknowledged (writable_ms: every broker serves it)
//   produce <bs> <topic> <records> <keys>        keyed 100-byte records, acks=all, batch.size 65536, linger.ms 5,
//                                                keys "k0".."k<keys-1>" round robin (spread over every partition)
//   controller <bs>                              the active controller's node id
//   failover <bs> <topic> <partitions> <pidDir> <node>
//                                                kill -9 of <node>'s JVM, then one acks=all record to every
//                                                partition; time from the kill until the last one is acknowledged
//                                                (every partition writable again), and how many failed; a
//                                                "timeline" line every 200 ms shows what was acknowledged when
//   full-isr <bs> <topic> <partitions> <sinceEpochMs>
//                                                time from <sinceEpochMs> (when the script started a node again)
//                                                until every partition has a full ISR again
//   propagation <bs> <topic> [rounds]            metadata propagation (rounds: default 5, at most 100): each round
//                                                creates <topic>-prop-<round> (1 partition, RF=3) and times from
//                                                sending the request until every broker of <bs>, asked on its own
//                                                every 5 ms, shows the topic with a leader (p50_ms, max_ms; also
//                                                answered_p50_ms: until the create call returned, broker_p50_ms:
//                                                each broker in <bs> order, round_ms; a round fails after 60 s);
//                                                then deletes it, untimed, and waits until no broker shows it, so
//                                                no round's topic outlives it. Ferry: a raw
//                                                BrokerService.Metadata call to each broker, which answers from
//                                                its own metadata view (FerryAdmin routes to any broker)
import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.PartitionInfo;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.TopicMetadata;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

public class FerryPartitions {
    static final long WAIT_MS = 900_000;   // bound of every wait: 15 minutes
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
                try (FerryAdmin admin = admin(bs)) {
                    System.out.println("RESULT controller=" + admin.describeCluster().controllerLeaderId());
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

    static FerryAdmin admin(String bs) {
        return new FerryAdmin(AdminConfig.of(Map.of(AdminConfig.BOOTSTRAP_SERVERS, bs, "request.timeout.ms", "60000")));
    }

    static void create(String bs, String topic, int partitions) throws Exception {
        long t0 = System.currentTimeMillis();
        try (FerryAdmin admin = admin(bs)) {
            admin.createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "2"));
        }
        long created = System.currentTimeMillis();
        long ready = awaitFullIsr(bs, topic, partitions);
        Map<Integer, Integer> leaders = new TreeMap<>();
        try (FerryAdmin admin = admin(bs)) {
            for (PartitionInfo p : admin.describeTopics(List.of(topic)).get(topic).partitions()) {
                leaders.merge(p.leader(), 1, Integer::sum);
            }
        }
        long writable = awaitWritable(bs, topic, partitions);
        System.out.println("RESULT create_ms=" + (ready - t0) + " answered_ms=" + (created - t0) + " writable_ms="
                + (writable - t0) + " leaders=" + leaders.toString().replace(" ", ""));
    }

    /**
     * The wall-clock time at which one acks=all record sent to every partition, from when the controllers
     * reported full ISRs, was acknowledged: every broker has opened its logs and leads or follows.
     */
    static long awaitWritable(String bs, String topic, int partitions) throws Exception {
        CountDownLatch acked = new CountDownLatch(partitions);
        AtomicReference<String> firstError = new AtomicReference<>();
        try (FerryProducer producer = producer(bs)) {
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord(topic, p, null, new byte[100]), (md, e) -> {
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

    /** The wall-clock time at which every partition had a leader and all three replicas in its ISR. */
    static long awaitFullIsr(String bs, String topic, int partitions) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        try (FerryAdmin admin = admin(bs)) {
            while (System.currentTimeMillis() < deadline) {
                try {
                    List<PartitionInfo> ps = admin.describeTopics(List.of(topic)).get(topic).partitions();
                    if (ps.size() == partitions && ps.stream().allMatch(p -> p.leader() >= 0 && p.isr().size() == 3)) {
                        return System.currentTimeMillis();
                    }
                } catch (RuntimeException e) {
                    // the cluster may still be electing or the node starting: ask again
                }
                Thread.sleep(POLL_MS);
            }
        }
        throw new IllegalStateException(topic + ": not every partition had a full ISR within " + WAIT_MS + " ms");
    }

    static FerryProducer producer(String bs) {
        return new FerryProducer(ProducerConfig.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS, bs,
                ProducerConfig.ACKS, "all",
                ProducerConfig.BATCH_SIZE, "65536",
                ProducerConfig.LINGER_MS, "5",
                ProducerConfig.DELIVERY_TIMEOUT_MS, "120000")));
    }

    static void produce(String bs, String topic, long records, int keys) throws Exception {
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'x');
        byte[][] keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ("k" + k).getBytes(StandardCharsets.UTF_8);
        }
        AtomicLong acked = new AtomicLong(), failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        long t0 = System.nanoTime();
        try (FerryProducer producer = producer(bs)) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord(topic, keyBytes[(int) (i % keys)], value), (md, e) -> {
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
        try (FerryAdmin admin = admin(bs)) {
            for (PartitionInfo p : admin.describeTopics(List.of(topic)).get(topic).partitions()) {
                if (p.leader() == node) ledByVictim.add(p.partition());
            }
        }
        java.util.Queue<Long> movedAckTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (FerryProducer producer = producer(bs)) {
            // The producer knows every leader before the kill, as a running application's would.
            producer.send(new ProducerRecord(topic, 0, null, value)).get(60, TimeUnit.SECONDS);
            long killT = System.currentTimeMillis();
            victim.destroyForcibly(); // SIGKILL
            for (int p = 0; p < partitions; p++) {
                boolean moved = ledByVictim.contains(p);
                producer.send(new ProducerRecord(topic, p, null, value), (md, e) -> {
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
            Thread timeline = timeline(producer, topic, node, ledByVictim, killT, ackTimes, movedAckTimes, done);
            producer.flush();
            done.await(WAIT_MS, TimeUnit.MILLISECONDS);
            timeline.join();
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
     * Every 200 ms until every record is acknowledged, a line of the step's log: time since the kill, records
     * acknowledged (all, and of the partitions the killed node led), and how many of those partitions the
     * producer still sees led by the killed node. It shows which stage a slow failover waits in.
     */
    private static Thread timeline(
            FerryProducer producer,
            String topic,
            int node,
            java.util.Set<Integer> ledByVictim,
            long killT,
            java.util.Queue<Long> acked,
            java.util.Queue<Long> movedAcked,
            CountDownLatch done) {
        Thread thread = new Thread(() -> {
            try {
                while (!done.await(200, TimeUnit.MILLISECONDS)) {
                    long stale = producer.partitionsFor(topic).stream()
                            .filter(p -> ledByVictim.contains(p.partition()) && p.leader() == node)
                            .count();
                    System.out.printf("timeline ms=%d acked=%d moved_acked=%d moved_still_on_killed=%d%n",
                            System.currentTimeMillis() - killT, acked.size(), movedAcked.size(), stale);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "failover-timeline");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Metadata propagation, measured as KafkaPartitions' step of the same name: per round, the time from sending
     * the create request until every broker, asked on its own, shows the new topic with a leader.
     */
    static void propagation(String bs, String topic, int rounds) throws Exception {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds must be 1.." + MAX_ROUNDS + ", was " + rounds);
        }
        List<ManagedChannel> brokers = new ArrayList<>();
        for (String address : bs.split(",")) {
            int colon = address.lastIndexOf(':');
            brokers.add(Grpc.newChannelBuilderForAddress(address.substring(0, colon),
                            Integer.parseInt(address.substring(colon + 1)), InsecureChannelCredentials.create())
                    .build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(brokers.size() + 1);
        double[] allMs = new double[rounds], answeredMs = new double[rounds];
        double[][] brokerMs = new double[brokers.size()][rounds];
        try (FerryAdmin admin = admin(bs)) {
            for (ManagedChannel broker : brokers) {
                shows(broker, topic + "-prop-warm-up", false); // connections open before the first round
            }
            admin.listTopics(); // and the admin's
            for (int r = 0; r < rounds; r++) {
                String name = topic + "-prop-" + r;
                long t0 = System.nanoTime();
                Future<Long> created = pool.submit(() -> {
                    admin.createTopic(name, 1, 3, Map.of());
                    return System.nanoTime();
                });
                List<Future<Long>> seen = new ArrayList<>();
                for (ManagedChannel broker : brokers) {
                    seen.add(pool.submit(() -> await(broker, name, true, t0)));
                }
                answeredMs[r] = (created.get(ROUND_WAIT_MS, TimeUnit.MILLISECONDS) - t0) / 1e6;
                for (int b = 0; b < brokers.size(); b++) {
                    brokerMs[b][r] = (seen.get(b).get() - t0) / 1e6;
                    allMs[r] = Math.max(allMs[r], brokerMs[b][r]);
                }
                admin.deleteTopic(name);
                long gone = System.nanoTime();
                for (ManagedChannel broker : brokers) {
                    await(broker, name, false, gone);
                }
            }
        } finally {
            pool.shutdownNow();
            brokers.forEach(ManagedChannel::shutdownNow);
        }
        printPropagation(allMs, answeredMs, brokerMs);
    }

    /** The time (monotonic ns) at which {@code broker} first showed {@code topic} with a leader (or no longer showed it). */
    static long await(ManagedChannel broker, String topic, boolean present, long t0) throws Exception {
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(ROUND_WAIT_MS);
        while (System.nanoTime() < deadline) {
            try {
                if (shows(broker, topic, present) == present) return System.nanoTime();
            } catch (StatusRuntimeException e) {
                // the broker did not answer this time: ask again
            }
            Thread.sleep(PROPAGATION_POLL_MS);
        }
        throw new IllegalStateException("broker " + broker.authority() + (present ? " did not show " : " still showed ")
                + topic + (present ? " with a leader" : "") + " within " + ROUND_WAIT_MS + " ms");
    }

    /**
     * Whether the broker's own metadata view holds {@code topic} with a leader ({@code withLeader}) or at all
     * (otherwise): BrokerService.Metadata answers from the broker it is sent to, with no forwarding.
     */
    static boolean shows(ManagedChannel broker, String topic, boolean withLeader) {
        TopicMetadata t = BrokerServiceGrpc.newBlockingStub(broker)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .metadata(MetadataRequest.newBuilder().addTopics(topic).build())
                .getTopics(0);
        if (t.getError().getCode() != ErrorCode.NONE) return false;
        return !withLeader || (t.getPartitionsCount() > 0 && t.getPartitions(0).getLeader() >= 0);
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
