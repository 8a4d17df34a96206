// Ferry's twin of the Kafka peer's src/Failover.java (shared/peers/kafka), so the two are measured by
// the same method:
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerryFailover.java <bootstrap> <topic> <pidDir> <placement> <warmupMs> <afterMs> <intervalMs> [acks]
// pidDir holds node<id>.pid with the JVM pid of each node (bin/bench-replicated writes them, as the peer's
// cluster.sh does). placement: "broker" -> partition-0 leader on a node that is NOT the active controller;
// "controller" -> on the active controller's node; "any" -> wherever the controller places it.
// 1. waits until three brokers are registered and unfenced, creates <topic> (1 partition, RF=3,
//    min.insync.replicas=2) and waits for its leader and a full ISR. Ferry's admin API has no explicit
//    replica assignment, so placement is reached the other way round: the controller spreads leaderships
//    evenly, so each further topic (<topic>-2, <topic>-3) gets a different leader; the first whose leader
//    matches is used (the others stay, idle);
// 2. producer (client defaults: retries within delivery.timeout.ms 120 s, linger.ms=0, acks=<acks>, default
//    all) sends record i every <intervalMs> (bounded count);
// 3. at warmupMs it SIGKILLs the leader's JVM by its saved pid (ProcessHandle.destroyForcibly = kill -9);
// 4. keeps sending until warmupMs+afterMs, flushes, then reads the whole partition back and checks that every
//    acknowledged record is present (lost = acked but not read back).
// Prints one "RESULT k=v ..." line with the same keys as Failover.java. Every loop is bounded in count and time.
// The optional acks argument exists to check the probe itself against a build whose acks=all cannot succeed;
// the benchmark always runs acks=all.
import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.PartitionInfo;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

public class FerryFailover {
    public static void main(String[] a) throws Exception {
        String bootstrap = a[0], requested = a[1], pidDir = a[2], placement = a[3];
        long warmupMs = Long.parseLong(a[4]), afterMs = Long.parseLong(a[5]);
        int intervalMs = Integer.parseInt(a[6]);
        String acksSetting = a.length > 7 ? a[7] : "all";
        if (!Set.of("broker", "controller", "any").contains(placement)) {
            throw new IllegalArgumentException("placement must be broker, controller or any, was " + placement);
        }

        Map<String, String> ap = Map.of(AdminConfig.BOOTSTRAP_SERVERS, bootstrap);
        int leader = -1, controller = -1;
        String topic = null;
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(ap))) {
            for (int i = 0; i < 300; i++) {   // three live, unfenced brokers and a known active controller (bounded)
                var cluster = admin.describeCluster();
                long live = cluster.brokers().stream().filter(b -> !b.fenced()).count();
                controller = cluster.controllerLeaderId();
                if (live >= 3 && controller >= 0) break;
                Thread.sleep(100);
            }
            for (int attempt = 1; attempt <= 3 && topic == null; attempt++) {
                String name = attempt == 1 ? requested : requested + "-" + attempt;
                admin.createTopic(name, 1, 3, Map.of("min.insync.replicas", "2"));
                PartitionInfo p0 = null;
                for (int i = 0; i < 100; i++) {   // wait until the leader and full ISR are visible (bounded)
                    p0 = admin.describeTopics(List.of(name)).get(name).partitions().get(0);
                    if (p0.leader() >= 0 && p0.isr().size() == 3) break;
                    Thread.sleep(100);
                }
                controller = admin.describeCluster().controllerLeaderId();
                System.out.println("created: " + p0 + " activeController=" + controller);
                boolean fits = placement.equals("any")
                        || (placement.equals("controller") == (p0.leader() == controller));
                if (p0.leader() >= 0 && fits) {
                    topic = name;
                    leader = p0.leader();
                }
            }
        }
        if (topic == null) {
            throw new IllegalStateException("no topic got a leader with placement " + placement + " in 3 attempts");
        }
        System.out.println("before: leader=" + leader + " topic=" + topic + " activeController=" + controller);
        long pid = Long.parseLong(Files.readString(Path.of(pidDir, "node" + leader + ".pid")).trim());
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();

        int max = (int) ((warmupMs + afterMs) / intervalMs) + 10;
        long[] sendT = new long[max], ackT = new long[max], off = new long[max];
        Arrays.fill(off, -1);
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstErr = new AtomicReference<>();
        long killT = -1;
        int n = 0;
        FerryProducer producer = new FerryProducer(ProducerConfig.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS, bootstrap, ProducerConfig.ACKS, acksSetting,
                ProducerConfig.LINGER_MS, "0")));
        long start = System.currentTimeMillis();
        for (int i = 0; i < max; i++) {
            long target = start + (long) i * intervalMs;
            long now;
            while ((now = System.currentTimeMillis()) < target) Thread.sleep(Math.max(1, target - now));
            if (now - start >= warmupMs + afterMs) break;
            if (killT < 0 && now - start >= warmupMs) {
                killT = System.currentTimeMillis();
                victim.destroyForcibly();                       // SIGKILL
            }
            final int idx = i;
            sendT[i] = System.currentTimeMillis();
            byte[] key = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
            byte[] value = (i + "," + sendT[i]).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord(topic, 0, key, value), (md, ex) -> {
                ackT[idx] = System.currentTimeMillis();
                if (ex != null) { errors.incrementAndGet(); firstErr.compareAndSet(null, ex.toString()); }
                else off[idx] = md.offset();
            });
            n = i + 1;
        }
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        victim.onExit().get(10, TimeUnit.SECONDS);

        // metrics
        long firstAckSentAfter = -1, firstAckAny = -1, lastAckBefore = -1, maxGap = 0, prev = -1;
        int acked = 0, ackedAfterKill = 0;
        long[] acks = new long[n]; int na = 0;
        for (int i = 0; i < n; i++) if (off[i] >= 0) { acked++; acks[na++] = ackT[i]; }
        Arrays.sort(acks, 0, na);
        for (int k = 0; k < na; k++) {
            if (prev >= 0) maxGap = Math.max(maxGap, acks[k] - prev);
            prev = acks[k];
            if (acks[k] <= killT) lastAckBefore = acks[k];
            else if (firstAckAny < 0) firstAckAny = acks[k];
        }
        for (int i = 0; i < n; i++) {
            if (off[i] >= 0 && sendT[i] >= killT) {
                ackedAfterKill++;
                if (firstAckSentAfter < 0 || ackT[i] < firstAckSentAfter) firstAckSentAfter = ackT[i];
            }
        }

        // read everything back
        Set<Integer> seen = new HashSet<>();
        long readCount = 0;
        TopicPartition tp = new TopicPartition(topic, 0);
        try (FerryConsumer c = new FerryConsumer(ConsumerConfig.of(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS, bootstrap)))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 60_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord r : c.poll(Duration.ofMillis(500))) {
                    seen.add(Integer.parseInt(new String(r.key(), StandardCharsets.UTF_8))); readCount++;
                }
            }
        }
        int lost = 0;
        for (int i = 0; i < n; i++) if (off[i] >= 0 && !seen.contains(i)) lost++;
        String after;
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(ap))) {
            after = admin.describeTopics(List.of(topic)).get(topic).partitions().get(0).toString();
        }
        System.out.println("after: " + after);
        System.out.printf("RESULT placement=%s killedNode=%d activeController=%d leaderWasController=%b sent=%d acked=%d errors=%d " +
                "ackedSentAfterKill=%d kill_to_first_ack_of_send_after_kill_ms=%d kill_to_first_ack_any_ms=%d last_ack_before_kill_ms=%d " +
                "max_ack_gap_ms=%d read=%d distinct_read=%d lost_acked=%d acks=%s firstError=%s%n",
                placement, leader, controller, leader == controller, n, acked, errors.get(), ackedAfterKill,
                firstAckSentAfter < 0 ? -1 : firstAckSentAfter - killT, firstAckAny < 0 ? -1 : firstAckAny - killT,
                lastAckBefore < 0 ? -1 : killT - lastAckBefore, maxGap, readCount, seen.size(), lost, acksSetting,
                String.valueOf(firstErr.get()).replace(' ', '_'));
    }
}
