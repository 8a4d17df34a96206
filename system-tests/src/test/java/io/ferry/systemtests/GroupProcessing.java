package io.ferry.systemtests;

import io.ferry.client.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the members of one consumer group processed ({@link RecordingGroupMember}'s files) put together: the
 * union, which must hold every acknowledged record ({@link #contents}, for {@link AckVerification}), the records
 * processed more than once ({@link #duplicates}), and the check that explains them ({@link #processedBelowCommitted}).
 *
 * <p>Immutable.
 */
final class GroupProcessing {

    /** One processing of a record: by which member, at what time. */
    record Processing(String member, long atMillis) {}

    /** A run of consecutive offsets of a partition that were each processed more than once, the same way. */
    record DuplicateRange(int partition, long firstOffset, long lastOffset, List<Processing> firstRecordsProcessings) {

        long count() {
            return lastOffset - firstOffset + 1;
        }
    }

    private final String topic;
    private final Map<String, List<ProcessedRecord>> byMember;
    /** Partition, offset, the processings of that record in the order its members wrote them. */
    private final Map<Integer, NavigableMap<Long, List<Processing>>> processings = new TreeMap<>();

    /** @param byMember each member's processed records, in the order it wrote them; reports follow the map's order */
    GroupProcessing(String topic, Map<String, List<ProcessedRecord>> byMember) {
        this.topic = topic;
        this.byMember = Collections.unmodifiableMap(new LinkedHashMap<>(byMember));
        byMember.forEach((member, records) -> records.forEach(r -> processings
                .computeIfAbsent(r.partition(), p -> new TreeMap<>())
                .computeIfAbsent(r.offset(), o -> new ArrayList<>())
                .add(new Processing(member, r.processedAtMillis()))));
        processings
                .values()
                .forEach(byOffset -> byOffset.values()
                        .forEach(list -> list.sort((a, b) -> Long.compare(a.atMillis(), b.atMillis()))));
    }

    /** The union of what was processed, per partition, as {@link AckVerification} compares it with the acks. */
    Map<Integer, PartitionContents> contents(Map<TopicPartition, Long> highWatermarks) {
        Map<Integer, PartitionContents> out = new LinkedHashMap<>();
        highWatermarks.forEach((tp, hw) -> {
            NavigableMap<Long, String> values = new TreeMap<>();
            byMember.values()
                    .forEach(records -> records.stream()
                            .filter(r -> r.partition() == tp.partition())
                            .forEach(r -> values.put(r.offset(), r.value())));
            out.put(tp.partition(), PartitionContents.of(tp, hw, values));
        });
        return out;
    }

    /** A record processed twice with different values: the log changed under the group. */
    List<String> conflictingValues() {
        List<String> problems = new ArrayList<>();
        Map<String, String> valueAt = new LinkedHashMap<>();
        byMember.forEach((member, records) -> records.forEach(r -> {
            String key = r.partition() + "@" + r.offset();
            String before = valueAt.putIfAbsent(key, r.value());
            if (before != null && !before.equals(r.value())) {
                problems.add(
                        topic + "-" + key + ": processed as " + before + " and, by " + member + ", as " + r.value());
            }
        }));
        return problems;
    }

    /** Processings beyond each record's first. */
    long duplicateCount() {
        return processings.values().stream()
                .flatMap(byOffset -> byOffset.values().stream())
                .mapToLong(list -> list.size() - 1)
                .sum();
    }

    /**
     * The records processed more than once, as runs of consecutive offsets processed by the same members in the
     * same order (one run is typically one uncommitted window replayed).
     */
    List<DuplicateRange> duplicates() {
        List<DuplicateRange> ranges = new ArrayList<>();
        processings.forEach((partition, byOffset) -> {
            DuplicateRange open = null;
            for (Map.Entry<Long, List<Processing>> e : byOffset.entrySet()) {
                List<Processing> ps = e.getValue();
                if (ps.size() < 2) {
                    continue;
                }
                if (open != null
                        && open.lastOffset() + 1 == e.getKey()
                        && members(open.firstRecordsProcessings()).equals(members(ps))) {
                    open = new DuplicateRange(
                            partition, open.firstOffset(), e.getKey(), open.firstRecordsProcessings());
                    ranges.set(ranges.size() - 1, open);
                } else {
                    open = new DuplicateRange(partition, e.getKey(), e.getKey(), List.copyOf(ps));
                    ranges.add(open);
                }
            }
        });
        return ranges;
    }

    private static List<String> members(List<Processing> ps) {
        return ps.stream().map(Processing::member).toList();
    }

    /**
     * Every processing of a record at an offset below what the group had already committed for its partition
     * when the member wrote it. A member starts a partition at its committed offset and commits only what it
     * processed, so with committed offsets kept this never happens, and a duplicate comes only from the
     * uncommitted window (records processed, not yet committed, by a member that then lost the partition). A
     * coordinator that lost or rolled back committed offsets makes the next owner re-process committed records,
     * which this lists.
     */
    List<String> processedBelowCommitted(CommittedOffsetsWatch watch) {
        List<String> problems = new ArrayList<>();
        processings.forEach((partition, byOffset) -> byOffset.forEach((offset, ps) -> {
            for (Processing p : ps) {
                long committed = watch.committedBefore(new TopicPartition(topic, partition), p.atMillis());
                if (offset < committed) {
                    problems.add(topic + "-" + partition + " offset " + offset + " processed by " + p.member()
                            + " at " + p.atMillis() + " although the group had committed " + committed
                            + " before then");
                }
            }
        }));
        return problems;
    }
}
