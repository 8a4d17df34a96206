package io.ferry.cli.internal;

import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.OffsetAndTimestamp;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferry groups reset-offsets}, as {@code kafka-consumer-groups.sh --reset-offsets}: works out each
 * partition's new offset, prints it, and commits it only with {@code --execute}. Only an empty group's
 * offsets can be reset (its members would overwrite them with their next commit), so a group with
 * members is refused before anything is worked out.
 */
@Command(
        name = "reset-offsets",
        mixinStandardHelpOptions = true,
        description = "Reset an empty group's committed offsets of topics; prints the new offsets and changes "
                + "nothing unless --execute is given.")
final class ResetOffsetsCommand extends ClientCommand {

    @Mixin
    GroupOption group;

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "TOPIC[:P,...]",
            description = "Topic, optionally with the partitions to reset (default: all), repeatable.")
    List<String> topics;

    static final class Target {
        @Option(names = "--to-earliest", description = "The log start offset.")
        boolean earliest;

        @Option(names = "--to-latest", description = "The log end offset.")
        boolean latest;

        @Option(
                names = "--to-datetime",
                paramLabel = "TIME",
                converter = Converters.TimestampConverter.class,
                description = "The first record at or after this time (the log end when there is none): "
                        + "ms since the epoch or ISO-8601 (2026-11-22T10:15:30Z).")
        Long timestamp;

        @Option(names = "--to-offset", paramLabel = "N", description = "This offset, kept within the log.")
        Long offset;

        @Option(
                names = "--shift-by",
                paramLabel = "N",
                description = "The committed offset moved by N (negative: back), kept within the log.")
        Long shift;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Mode {
        @Option(names = "--dry-run", description = "Print the new offsets only (the default).")
        boolean dryRun;

        @Option(names = "--execute", description = "Commit the new offsets.")
        boolean execute;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    ResetOffsetsCommand(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        try (FerryAdmin admin = admin(settings())) {
            refuseIfMembers(admin);
            List<TopicPartition> partitions = partitions(admin);
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, FerryAdmin.EARLIEST);
            Map<TopicPartition, Long> latest = offsets(admin, partitions, FerryAdmin.LATEST);
            Map<TopicPartition, Long> wanted = wanted(admin, partitions, earliest, latest);
            Map<TopicPartition, Long> next = new LinkedHashMap<>();
            // As Kafka does: an offset outside the log would only be reset again by auto.offset.reset.
            wanted.forEach((tp, offset) -> next.put(tp, Math.max(earliest.get(tp), Math.min(latest.get(tp), offset))));
            if (mode.execute) {
                admin.alterConsumerGroupOffsets(group.id, next);
            } else if (!mode.dryRun) {
                err().println("Dry run (the default): nothing was changed; add --execute to commit these offsets.");
            }
            out().print(GroupFormat.newOffsets(group.id, next));
        }
        return ErrorReporter.OK;
    }

    private void refuseIfMembers(FerryAdmin admin) {
        ConsumerGroupDescription description;
        try {
            description = admin.describeConsumerGroups(List.of(group.id)).get(group.id);
        } catch (FerryException e) {
            if (e.code() == ErrorCode.GROUP_ID_NOT_FOUND) {
                return; // no group yet: the reset gives it its first offsets
            }
            throw e;
        }
        if (!description.members().isEmpty()) {
            throw new FerryException(
                    ErrorCode.NON_EMPTY_GROUP,
                    "group '" + group.id + "' has " + description.members().size()
                            + " active member(s); offsets can only be reset while the group is empty "
                            + "(stop its consumers first)");
        }
    }

    /** {@code orders} is every partition of orders, {@code orders:0,2} partitions 0 and 2. */
    private List<TopicPartition> partitions(FerryAdmin admin) {
        List<TopicPartition> out = new ArrayList<>();
        for (String spec : topics) {
            int colon = spec.indexOf(':');
            String topic = colon < 0 ? spec : spec.substring(0, colon);
            List<Integer> all = describeTopic(admin, topic).partitions().stream()
                    .map(PartitionInfo::partition)
                    .toList();
            if (colon < 0) {
                all.forEach(p -> out.add(new TopicPartition(topic, p)));
                continue;
            }
            for (String p : spec.substring(colon + 1).split(",")) {
                out.add(new TopicPartition(topic, partition(topic, p, all)));
            }
        }
        return out;
    }

    private static int partition(String topic, String text, List<Integer> all) {
        try {
            int p = Integer.parseInt(text.trim());
            if (all.contains(p)) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below, with the partitions there are
        }
        throw new UsageException("--topic " + topic + ": partition '" + text + "' does not exist: topic '" + topic
                + "' has " + all.size() + " partition(s), 0.." + (all.size() - 1));
    }

    /** Each partition's new offset before it is kept within the log. */
    private Map<TopicPartition, Long> wanted(
            FerryAdmin admin,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> earliest,
            Map<TopicPartition, Long> latest) {
        if (target.earliest) {
            return earliest;
        }
        if (target.latest) {
            return latest;
        }
        if (target.timestamp != null) {
            Map<TopicPartition, Long> specs = new HashMap<>();
            partitions.forEach(tp -> specs.put(tp, target.timestamp));
            Map<TopicPartition, OffsetAndTimestamp> found = admin.listOffsets(specs);
            Map<TopicPartition, Long> out = new LinkedHashMap<>();
            partitions.forEach(tp -> out.put(
                    tp, found.get(tp) == null ? latest.get(tp) : found.get(tp).offset()));
            return out;
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        if (target.offset != null) {
            partitions.forEach(tp -> out.put(tp, target.offset));
            return out;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.id);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata current = committed.get(tp);
            if (current == null) {
                throw new UsageException("--shift-by: group '" + group.id + "' has no committed offset for " + tp
                        + " to shift; use another --to-* option for it");
            }
            out.put(tp, current.offset() + target.shift);
        }
        return out;
    }

    private static Map<TopicPartition, Long> offsets(FerryAdmin admin, List<TopicPartition> partitions, long spec) {
        Map<TopicPartition, Long> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(specs).forEach((tp, found) -> out.put(tp, found.offset()));
        return out;
    }
}
