package io.ferry.cli.internal;

import io.ferry.client.BrokerInfo;
import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.MemberDescription;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Text for {@code groups list --state}, {@code groups describe} and {@code groups reset-offsets}: the columns
 * {@code kafka-consumer-groups.sh} prints, left-aligned and padded to the widest cell, '-' where a
 * value is unknown, so habits (and scripts that split on whitespace) carry over.
 */
public final class GroupFormat {

    private static final String UNKNOWN = "-";
    static final Comparator<TopicPartition> BY_TOPIC_AND_PARTITION =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private GroupFormat() {}

    /**
     * One row per partition the group has an offset for or a member owns: the committed offset, the log
     * end offset, the lag between them, and the owning member.
     */
    public static String offsets(
            ConsumerGroupDescription group,
            Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, Long> logEndOffsets) {
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        group.members().forEach(m -> m.assignment().forEach(tp -> owners.put(tp, m)));
        Set<TopicPartition> partitions = new TreeSet<>(BY_TOPIC_AND_PARTITION);
        partitions.addAll(committed.keySet());
        partitions.addAll(owners.keySet());
        List<List<String>> rows = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata current = committed.get(tp);
            Long end = logEndOffsets.get(tp);
            MemberDescription owner = owners.get(tp);
            rows.add(List.of(
                    group.groupId(),
                    tp.topic(),
                    Integer.toString(tp.partition()),
                    current == null ? UNKNOWN : Long.toString(current.offset()),
                    end == null ? UNKNOWN : Long.toString(end),
                    current == null || end == null ? UNKNOWN : Long.toString(Math.max(0, end - current.offset())),
                    owner == null ? UNKNOWN : owner.memberId(),
                    owner == null ? UNKNOWN : owner.host(),
                    owner == null ? UNKNOWN : owner.clientId()));
        }
        return noMembersNote(group)
                + table(
                        List.of(
                                "GROUP",
                                "TOPIC",
                                "PARTITION",
                                "CURRENT-OFFSET",
                                "LOG-END-OFFSET",
                                "LAG",
                                "CONSUMER-ID",
                                "HOST",
                                "CLIENT-ID"),
                        rows);
    }

    /** One row per member with what it owns, as {@code --describe --members --verbose} prints it. */
    public static String members(ConsumerGroupDescription group) {
        List<List<String>> rows = new ArrayList<>();
        for (MemberDescription m : group.members()) {
            rows.add(List.of(
                    group.groupId(),
                    m.memberId(),
                    m.instanceId().orElse(UNKNOWN),
                    m.host(),
                    m.clientId(),
                    Integer.toString(m.assignment().size()),
                    assignment(m.assignment())));
        }
        return noMembersNote(group)
                + table(
                        List.of(
                                "GROUP",
                                "CONSUMER-ID",
                                "GROUP-INSTANCE-ID",
                                "HOST",
                                "CLIENT-ID",
                                "#PARTITIONS",
                                "ASSIGNMENT"),
                        rows);
    }

    /** {@code groups list --state}: each group with its state. */
    public static String states(List<ConsumerGroupListing> groups) {
        List<List<String>> rows = new ArrayList<>();
        groups.forEach(g -> rows.add(List.of(g.groupId(), g.state())));
        return table(List.of("GROUP", "STATE"), rows);
    }

    /** {@code groups describe --state}: the group's coordinator ({@code host:port (id)}), assignor, state, size. */
    public static String state(ConsumerGroupDescription group) {
        BrokerInfo coordinator = group.coordinator();
        return table(
                List.of("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"),
                List.of(List.of(
                        group.groupId(),
                        coordinator.host() + ":" + coordinator.port() + " (" + coordinator.id() + ")",
                        group.assignorName(),
                        group.state(),
                        Integer.toString(group.members().size()))));
    }

    /** The offsets a reset gives (or would give) the group. */
    public static String newOffsets(String groupId, Map<TopicPartition, Long> offsets) {
        List<List<String>> rows = new ArrayList<>();
        Map<TopicPartition, Long> sorted = new TreeMap<>(BY_TOPIC_AND_PARTITION);
        sorted.putAll(offsets);
        sorted.forEach((tp, offset) ->
                rows.add(List.of(groupId, tp.topic(), Integer.toString(tp.partition()), Long.toString(offset))));
        return table(List.of("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"), rows);
    }

    /** Kafka says so before the table, since the consumer columns are all '-' then. */
    private static String noMembersNote(ConsumerGroupDescription group) {
        return group.members().isEmpty() ? "Consumer group '" + group.groupId() + "' has no active members.\n\n" : "";
    }

    /** Kafka's verbose form: {@code orders(0,1),audit(2)}, or '-' for none. */
    private static String assignment(Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return UNKNOWN;
        }
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        partitions.stream()
                .sorted(BY_TOPIC_AND_PARTITION)
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                        .add(tp.partition()));
        return byTopic.entrySet().stream()
                .map(e -> e.getKey() + "("
                        + e.getValue().stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")
                .collect(Collectors.joining(","));
    }

    /** Columns left-aligned, each as wide as its widest cell plus one space; no trailing spaces. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length() + 1));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
