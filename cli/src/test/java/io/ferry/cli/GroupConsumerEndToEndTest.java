package io.ferry.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRebalanceListener;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * FerryConsumer in a consumer group against a real node: members share a topic's partitions, a member
 * that leaves hands its partitions over from the committed offsets, and auto-commit lets the next
 * consumer of the group go on where the last one stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupConsumerEndToEndTest {

    private static final Duration POLL = Duration.ofMillis(100);

    private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };

    private TestNode node;

    @BeforeAll
    void startNode(@TempDir Path dir) throws Exception {
        node = TestNode.start(dir);
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void twoMembersShareTheTopicAndTheSurvivorGoesOnFromTheCommittedOffsets() {
        createTopic("shared", 4);
        Set<String> first = produce("shared", 4, "a", 10);
        // Auto-commit with a long interval: offsets are committed when partitions move and at close, so a
        // partition handed over goes on where its previous owner stopped.
        Map<String, String> commitOnMoves = Map.of(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS, "600000");
        try (FerryConsumer one = consumer("sharing", commitOnMoves);
                FerryConsumer two = consumer("sharing", commitOnMoves)) {
            one.subscribe(List.of("shared"));
            two.subscribe(List.of("shared"));
            List<String> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                read.addAll(values(one));
                read.addAll(values(two));
                return one.assignment().size() == 2 && two.assignment().size() == 2 && read.size() >= first.size();
            });
            Set<TopicPartition> both = new HashSet<>(one.assignment());
            both.addAll(two.assignment());
            assertEquals(4, both.size(), one.assignment() + " and " + two.assignment());
            assertEquals(first.size(), read.size(), "every record once: " + read);
            assertEquals(first, Set.copyOf(read));
            one.commitSync();
            two.commitSync();

            Set<String> second = produce("shared", 4, "b", 5);
            two.close();
            List<String> after = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                after.addAll(values(one));
                return one.assignment().size() == 4 && after.size() >= second.size();
            });
            assertEquals(second.size(), after.size(), "nothing read twice: " + after);
            assertEquals(second, Set.copyOf(after));
        }
    }

    @Test
    void autoCommitLetsTheNextConsumerOfTheGroupGoOn() {
        createTopic("auto", 2);
        Set<String> first = produce("auto", 2, "a", 3);
        Map<String, String> autoCommit = Map.of(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS, "100");
        try (FerryConsumer consumer = consumer("auto-committing", autoCommit)) {
            consumer.subscribe(List.of("auto"));
            List<String> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                read.addAll(values(consumer));
                return read.size() >= first.size();
            });
            assertEquals(first, Set.copyOf(read));
            // The interval commit, while the consumer stays in the group.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                values(consumer);
                return committed("auto-committing")
                        .equals(Map.of(new TopicPartition("auto", 0), 3L, new TopicPartition("auto", 1), 3L));
            });
        }
        Set<String> second = produce("auto", 2, "b", 2);
        try (FerryConsumer next = consumer("auto-committing", autoCommit)) {
            next.subscribe(List.of("auto"));
            List<String> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                read.addAll(values(next));
                return read.size() >= second.size();
            });
            assertEquals(second.size(), read.size(), read.toString());
            assertEquals(second, Set.copyOf(read));
        }
        assertTrue(committed("auto-committing").values().stream().allMatch(o -> o == 5L));
    }

    @Test
    void aMemberThatStopsPollingLeavesAndRejoinsAtItsNextPoll() {
        createTopic("slow", 2);
        Map<String, String> shortPollInterval = Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS, "2000");
        List<TopicPartition> lost = new ArrayList<>();
        ConsumerRebalanceListener recordLost = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                lost.addAll(partitions);
            }
        };
        try (FerryConsumer slow = consumer("patient", shortPollInterval);
                FerryConsumer busy = consumer("patient", shortPollInterval)) {
            slow.subscribe(List.of("slow"), recordLost);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                values(slow);
                return slow.assignment().size() == 2;
            });
            // slow stops polling: past max.poll.interval.ms its partitions go to busy.
            busy.subscribe(List.of("slow"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                values(busy);
                return busy.assignment().size() == 2;
            });
            values(slow);
            assertEquals(2, lost.size(), lost.toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                values(slow);
                values(busy);
                return slow.assignment().size() == 1 && busy.assignment().size() == 1;
            });
        }
    }

    @Test
    void commitAsyncTellsItsCallbackInALaterPoll() {
        createTopic("async", 1);
        Set<String> records = produce("async", 1, "a", 3);
        try (FerryConsumer consumer =
                consumer("async-committing", Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, "false"))) {
            consumer.subscribe(List.of("async"));
            readAtLeast(consumer, records.size());
            List<Map<TopicPartition, OffsetAndMetadata>> told = new ArrayList<>();
            consumer.commitAsync((offsets, e) -> {
                assertEquals(null, e);
                told.add(offsets);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                values(consumer);
                return !told.isEmpty();
            });
            TopicPartition tp = new TopicPartition("async", 0);
            assertEquals(List.of(Map.of(tp, new OffsetAndMetadata(3, ""))), told);
            assertEquals(Map.of(tp, new OffsetAndMetadata(3, "")), consumer.committed(Set.of(tp)));
        }
    }

    @Test
    void aSynchronousCommitIsNeverOvertakenByAnAsynchronousOneBeforeIt() {
        createTopic("in-order", 1);
        Set<String> records = produce("in-order", 1, "a", 3);
        TopicPartition tp = new TopicPartition("in-order", 0);
        try (FerryConsumer consumer =
                consumer("in-order-committing", Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, "false"))) {
            consumer.subscribe(List.of("in-order"));
            readAtLeast(consumer, records.size());
            List<Map<TopicPartition, OffsetAndMetadata>> told = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                consumer.commitAsync((offsets, e) -> told.add(offsets));
            }
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(1, "sync")));

            // Every asynchronous commit was made, and told, before the synchronous one returned.
            assertEquals(5, told.size());
            assertEquals(Map.of(tp, new OffsetAndMetadata(1, "sync")), consumer.committed(Set.of(tp)));
        }
    }

    @Test
    void aCommittedOffsetBeyondTheLogEndIsResetAsAutoOffsetResetSays() {
        createTopic("beyond", 1);
        Set<String> records = produce("beyond", 1, "a", 3);
        TopicPartition tp = new TopicPartition("beyond", 0);
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", node.bootstrap())))) {
            // The coordinator stores what it is given, as Kafka's: the log may have been longer once.
            admin.alterConsumerGroupOffsets("past-the-end", Map.of(tp, 1_000L));
        }
        assertEquals(Map.of(tp, 1_000L), committed("past-the-end"));
        try (FerryConsumer consumer = consumer("past-the-end", Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, "false"))) {
            consumer.subscribe(List.of("beyond"));
            List<String> read = readAtLeast(consumer, records.size());
            assertEquals(List.of("a-0-0", "a-0-1", "a-0-2"), read, "out of range: from the earliest offset");
            consumer.commitSync();
        }
        assertEquals(Map.of(tp, 3L), committed("past-the-end"));
    }

    @Test
    void consumersThatAssignTheirPartitionsCommitFromOutsideTheGroup() {
        createTopic("assigned", 2);
        // A record in each partition: the node's metadata has the topic before the coordinator is asked.
        produce("assigned", 2, "a", 1);
        Map<String, String> manual = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, "false");
        try (FerryConsumer first = consumer("assigners", manual);
                FerryConsumer second = consumer("assigners", manual)) {
            TopicPartition p0 = new TopicPartition("assigned", 0);
            TopicPartition p1 = new TopicPartition("assigned", 1);
            first.assign(List.of(p0));
            second.assign(List.of(p1));
            first.commitSync(Map.of(p0, new OffsetAndMetadata(5, "")));
            second.commitSync(Map.of(p1, new OffsetAndMetadata(7, "")));
            first.commitSync(Map.of(p0, new OffsetAndMetadata(6, "")));
        }
        assertEquals(
                Map.of(new TopicPartition("assigned", 0), 6L, new TopicPartition("assigned", 1), 7L),
                committed("assigners"));
    }

    @Test
    void aPatternSubscriptionGetsTheMatchingTopicsAndAStaticMemberRejoinsUnderItsInstanceId() {
        createTopic("pattern-a", 1);
        createTopic("pattern-b", 1);
        createTopic("unmatched", 1);
        Map<String, String> staticMember = Map.of(ConsumerConfig.GROUP_INSTANCE_ID, "reader-1");
        Set<TopicPartition> matching = Set.of(new TopicPartition("pattern-a", 0), new TopicPartition("pattern-b", 0));
        try (FerryConsumer consumer = consumer("by-pattern", staticMember)) {
            consumer.subscribe(Pattern.compile("pattern-.*"), NO_LISTENER);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                values(consumer);
                return consumer.assignment().equals(matching);
            });
        }
        // The static member left with epoch -2; its next incarnation joins under the same instance id. (Alone in
        // the group, it would get the partitions either way: this checks the static leave and rejoin are accepted.)
        try (FerryConsumer again = consumer("by-pattern", staticMember)) {
            again.subscribe(Pattern.compile("pattern-.*"), NO_LISTENER);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                values(again);
                return again.assignment().equals(matching);
            });
        }
    }

    @Test
    void consumeWithAGroupGoesOnWhereTheLastRunStopped() {
        createTopic("lines-of-a-group", 1);
        produce("lines-of-a-group", 1, "x", 4);
        Result first = node.ferry(
                "", "consume", "--topic", "lines-of-a-group", "--group", "readers", "--from-beginning", "-n", "3");
        assertEquals(0, first.exitCode(), first.toString());
        assertEquals("x-0-0\nx-0-1\nx-0-2\n", first.out());
        Result second =
                node.ferry("", "consume", "--topic", "lines-of-a-group", "--group", "readers", "--timeout-ms", "3000");
        assertEquals(0, second.exitCode(), second.toString());
        assertEquals("x-0-3\n", second.out());
        assertEquals(Map.of(new TopicPartition("lines-of-a-group", 0), 4L), committed("readers"));
    }

    private FerryConsumer consumer(String group, Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "bootstrap.servers",
                node.bootstrap(),
                ConsumerConfig.GROUP_ID,
                group,
                ConsumerConfig.AUTO_OFFSET_RESET,
                "earliest",
                "retry.backoff.ms",
                "50",
                "default.api.timeout.ms",
                "30000"));
        props.putAll(overrides);
        return new FerryConsumer(ConsumerConfig.of(props));
    }

    /** Polls until {@code count} values came, within a minute. */
    private static List<String> readAtLeast(FerryConsumer consumer, int count) {
        List<String> read = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            read.addAll(values(consumer));
            return read.size() >= count;
        });
        return read;
    }

    private static List<String> values(FerryConsumer consumer) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord r : consumer.poll(POLL)) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private Map<TopicPartition, Long> committed(String group) {
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", node.bootstrap())))) {
            return admin.listConsumerGroupOffsets(group).entrySet().stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private void createTopic(String name, int partitions) {
        Result r = node.ferry("", "topic", "create", "--topic", name, "--partitions", Integer.toString(partitions));
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** {@code count} records in each partition, valued "{tag}-{partition}-{i}"; returns the values. */
    private Set<String> produce(String topic, int partitions, String tag, int count) {
        Set<String> values = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            List<String> lines = IntStream.range(0, count)
                    .mapToObj(i -> tag + "-" + partition + "-" + i)
                    .toList();
            Result r = node.ferry(
                    String.join("\n", lines) + "\n", "produce", "--topic", topic, "--partition", Integer.toString(p));
            assertEquals(0, r.exitCode(), r.toString());
            values.addAll(lines);
        }
        return values;
    }
}
