package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.MemberDescription;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka's consumer-group system test in its smallest form: three consumer processes of one group drain a
 * topic while one of them and then the group's coordinator broker are killed with {@code kill -9}. The two
 * members left must drain it, every acknowledged record processed at least once, with the group continuing on
 * the new coordinator with every offset committed before the kill; records processed twice must come only from
 * the uncommitted window (they are counted and printed).
 *
 * <p>The members ({@link RecordingGroupMember}) write each record before they commit it, so "processed" is
 * their files; a {@link CommittedOffsetsWatch} follows the group's committed offsets throughout.
 */
class ConsumerGroupKillTest {

    private static final String TOPIC = "group-drain";
    private static final String GROUP = "drainers";
    private static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 30_000;
    /**
     * A member session of 6 s (heartbeats every second) so that the killed member's partitions move on soon;
     * few {@code __consumer_offsets} partitions, so that creating them is quick on a small machine.
     */
    private static final List<String> NODE_SETTINGS = List.of(
            "group.consumer.session.timeout.ms=6000",
            "group.consumer.heartbeat.interval.ms=1000",
            "offsets.topic.num.partitions=10");
    /**
     * Up to 250 records a poll, each poll's records written and then committed 300 ms later: under 1,000
     * records a second per member, so that the drain takes tens of seconds, time to kill things in it; and a
     * window between write and commit long enough for the test to see it and kill the member inside it.
     */
    private static final int MAX_POLL_RECORDS = 250;

    private static final Duration PAUSE = Duration.ofMillis(300);
    /** A member process ends itself after this, should the test not stop it. */
    private static final Duration MEMBER_LIFETIME = Duration.ofMinutes(4);

    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    private ProcessCluster cluster;
    private final List<GroupMemberProcess> members = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        members.forEach(GroupMemberProcess::close);
        if (cluster != null) {
            try {
                for (GroupMemberProcess m : members) {
                    for (Path file : m.files()) {
                        if (Files.exists(file)) {
                            cluster.keep(file);
                        }
                    }
                }
            } finally {
                cluster.close();
            }
        }
    }

    @Test
    void theGroupDrainsTheTopicThroughKillsOfAMemberAndOfItsCoordinator() throws Exception {
        long started = System.currentTimeMillis();
        cluster = ProcessCluster.startWithDurableTopic("group-kill", TOPIC, PARTITIONS, NODE_SETTINGS);
        FerryAdmin admin = cluster.admin();
        long clusterUp = System.currentTimeMillis();
        AckLedger ledger = produce();
        Map<TopicPartition, Long> logEnd = cluster.highWatermarks(TOPIC, PARTITIONS);
        assertEquals(
                RECORDS,
                logEnd.values().stream().mapToLong(Long::longValue).sum(),
                "the log end offsets " + logEnd + " add up to the records acknowledged");
        long produced = System.currentTimeMillis();

        Path memberDir = cluster.folder("members");
        GroupMemberProcess.Settings settings = new GroupMemberProcess.Settings(
                cluster.bootstrap(), GROUP, TOPIC, MAX_POLL_RECORDS, PAUSE, MEMBER_LIFETIME);
        for (int i = 0; i < 3; i++) {
            members.add(GroupMemberProcess.start("member-" + i, memberDir, settings));
        }
        GroupMemberProcess victim = members.get(0);
        List<GroupMemberProcess> survivors = members.subList(1, 3);

        try (CommittedOffsetsWatch watch = new CommittedOffsetsWatch(admin, GROUP)) {
            watch.start();

            awaitCommitted(watch, RECORDS / 4, members);
            awaitUncommittedRecords(admin, victim);
            victim.kill();
            long memberKilled = System.currentTimeMillis();

            awaitCommitted(watch, RECORDS / 2, survivors);
            int coordinator = cluster.awaitGroupCoordinator(GROUP, id -> true, FAILOVER_TIMEOUT);
            TopicPartition offsetsPartition = new TopicPartition(OFFSETS_TOPIC, offsetsPartitionOf(GROUP));
            assertEquals(
                    cluster.leader(offsetsPartition),
                    coordinator,
                    "FindCoordinator names the leader of " + offsetsPartition + ", the group's coordinator");
            Map<TopicPartition, OffsetAndMetadata> beforeKill = admin.listConsumerGroupOffsets(GROUP);
            cluster.kill(coordinator);
            long coordinatorKilled = System.currentTimeMillis();

            int newCoordinator = cluster.awaitGroupCoordinator(GROUP, id -> id != coordinator, FAILOVER_TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> afterKill = admin.listConsumerGroupOffsets(GROUP);
            long failedOver = System.currentTimeMillis();
            beforeKill.forEach((tp, offset) -> assertTrue(
                    afterKill.containsKey(tp) && afterKill.get(tp).offset() >= offset.offset(),
                    "coordinator " + newCoordinator + " has " + tp + " at " + afterKill.get(tp) + ", coordinator "
                            + coordinator + " had it at " + offset + " before its kill"));

            await("the group's committed offsets at the log end offsets " + logEnd)
                    .atMost(DRAIN_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> committedOffsets(admin), logEnd::equals);
            long drained = System.currentTimeMillis();
            awaitSurvivorsOwnAllPartitions(admin, survivors);
            for (GroupMemberProcess m : survivors) {
                m.stop();
            }

            watch.close();
            System.out.printf(
                    "cluster started in %.1f s, %d records produced in %.1f s; drained in %.1f s more (from %s):"
                            + " member %s killed at +%.1f s, coordinator broker %d (leader of %s) killed at +%.1f s,"
                            + " broker %d coordinating %.1f s later, all committed at +%.1f s; %s%n",
                    seconds(clusterUp - started),
                    RECORDS,
                    seconds(produced - clusterUp),
                    seconds(drained - produced),
                    Instant.ofEpochMilli(produced),
                    victim.name(),
                    seconds(memberKilled - produced),
                    coordinator,
                    offsetsPartition,
                    seconds(coordinatorKilled - produced),
                    newCoordinator,
                    seconds(failedOver - coordinatorKilled),
                    seconds(drained - produced),
                    watch.summary());
            verify(ledger, logEnd, watch, produced);
        }
    }

    /**
     * Sends {@link #RECORDS} unique values ({@code r<n>} to partition n modulo {@link #PARTITIONS}) with
     * {@code acks=all}, all queued at once, before any fault: every one must be acknowledged. Not idempotent (a
     * resend could write a value twice, which {@link AckVerification} would report): without faults nothing is
     * resent, and it is several times faster here.
     */
    private AckLedger produce() {
        AckLedger ledger = new AckLedger();
        List<String> failures = new CopyOnWriteArrayList<>();
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrap(),
                ProducerConfig.ACKS,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE,
                false,
                ProducerConfig.LINGER_MS,
                10,
                ProducerConfig.CLIENT_ID,
                "group-kill-producer")))) {
            for (int n = 0; n < RECORDS; n++) {
                String value = "r" + n;
                producer.send(
                        new ProducerRecord(TOPIC, n % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)),
                        (metadata, error) -> {
                            if (error == null) {
                                ledger.acknowledged(metadata.partition(), metadata.offset(), value);
                            } else {
                                failures.add(value + ": " + error);
                            }
                        });
            }
            producer.flush();
        }
        assertEquals(List.of(), failures.stream().limit(10).toList(), failures.size() + " send(s) failed");
        assertEquals(RECORDS, ledger.size(), "records acknowledged");
        return ledger;
    }

    /** Waits until the group has committed {@code records} offsets in all, failing if one of {@code running} exits. */
    private static void awaitCommitted(CommittedOffsetsWatch watch, long records, List<GroupMemberProcess> running) {
        await("the group committed " + records + " records")
                .atMost(PROGRESS_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    running.stream().filter(m -> !m.isRunning()).findFirst().ifPresent(m -> {
                        throw new AssertionError(m + " exited");
                    });
                    return watch.highest().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum()
                            >= records;
                });
    }

    /**
     * Waits until the member's last processed record is still not committed after it was read: the member is in
     * its uncommitted window (between its write and its commit), where a kill leaves records to process again.
     * The file is read before the committed offsets, so that a commit answered before the read cannot pass for
     * one still to come.
     */
    private static void awaitUncommittedRecords(FerryAdmin admin, GroupMemberProcess member) {
        await(member.name() + " inside its uncommitted window")
                .atMost(PROGRESS_TIMEOUT)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    List<ProcessedRecord> processed = member.processed();
                    if (processed.isEmpty()) {
                        return false;
                    }
                    ProcessedRecord last = processed.get(processed.size() - 1);
                    long committed =
                            committedOffsets(admin).getOrDefault(new TopicPartition(TOPIC, last.partition()), 0L);
                    return last.offset() >= committed;
                });
    }

    private static Map<TopicPartition, Long> committedOffsets(FerryAdmin admin) {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        admin.listConsumerGroupOffsets(GROUP).forEach((tp, offset) -> out.put(tp, offset.offset()));
        return out;
    }

    /** The group has exactly the survivors as members, and between them they own every partition once. */
    private static void awaitSurvivorsOwnAllPartitions(FerryAdmin admin, List<GroupMemberProcess> survivors) {
        Set<String> names = survivors.stream().map(GroupMemberProcess::name).collect(Collectors.toSet());
        await("members " + names + " owning all " + PARTITIONS + " partitions")
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> admin.describeConsumerGroups(List.of(GROUP)).get(GROUP), group -> {
                    List<TopicPartition> owned = group.members().stream()
                            .flatMap(m -> m.assignment().stream())
                            .toList();
                    return group.members().stream()
                                    .map(MemberDescription::clientId)
                                    .collect(Collectors.toSet())
                                    .equals(names)
                            && owned.size() == PARTITIONS
                            && new HashSet<>(owned).size() == PARTITIONS;
                });
    }

    private void verify(AckLedger ledger, Map<TopicPartition, Long> logEnd, CommittedOffsetsWatch watch, long t0)
            throws IOException {
        Map<String, List<ProcessedRecord>> processed = new LinkedHashMap<>();
        for (GroupMemberProcess m : members) {
            processed.put(m.name(), m.processed());
        }
        GroupProcessing processing = new GroupProcessing(TOPIC, processed);
        List<GroupProcessing.DuplicateRange> duplicates = processing.duplicates();
        System.out.println("processed: "
                + processed.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().size())
                        .collect(Collectors.joining(", "))
                + "; " + processing.duplicateCount() + " duplicate processing(s) in " + duplicates.size()
                + " run(s) of offsets:");
        duplicates.forEach(d -> System.out.println("  " + TOPIC + "-" + d.partition() + " offsets " + d.firstOffset()
                + ".." + d.lastOffset() + " (" + d.count() + "): processed by "
                + d.firstRecordsProcessings().stream()
                        .map(p -> p.member() + " at +" + seconds(p.atMillis() - t0) + " s")
                        .collect(Collectors.joining(", then "))));

        List<String> problems = new ArrayList<>();
        problems.addAll(AckVerification.check(ledger, processing.contents(logEnd)));
        problems.addAll(processing.conflictingValues());
        problems.addAll(processing.processedBelowCommitted(watch));
        problems.addAll(watch.stepsBack());
        assertEquals(
                List.of(),
                problems.stream().limit(50).toList(),
                problems.size() + " problem(s), the first 50 listed; node and member logs in " + cluster.logArchive());
    }

    /**
     * The {@code __consumer_offsets} partition holding {@code groupId}: Kafka's rule, abs(hashCode) modulo the
     * partition count, with the count read from the topic's metadata.
     */
    private int offsetsPartitionOf(String groupId) {
        int count = cluster.admin()
                .describeTopics(List.of(OFFSETS_TOPIC))
                .get(OFFSETS_TOPIC)
                .partitions()
                .size();
        int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % count;
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }
}
