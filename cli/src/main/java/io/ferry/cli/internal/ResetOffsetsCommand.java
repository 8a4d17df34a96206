package io.ferry.cli.internal;

import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.OffsetAndTimestamp;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
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
        description = "Reset an empty group's committed offsets of topics (--topic), of every partition it has one "
                + "for (--all-topics) or to those in a file (--from-file); prints the new offsets and changes "
                + "nothing unless --execute is given.")
final class ResetOffsetsCommand extends ClientCommand {

    @Mixin
    GroupOption group;

    @Option(
            names = {"-t", "--topic"},
            paramLabel = "TOPIC[:P,...]",
            description = "Topic, optionally with the partitions to reset (default: all), repeatable.")
    List<String> topics;

    @Option(names = "--all-topics", description = "Every partition the group has a committed offset for.")
    boolean allTopics;

    @Option(
            names = "--export",
            description = "Print the new offsets as topic,partition,offset lines (what --from-file reads).")
    boolean export;

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

        @Option(
                names = "--from-file",
                paramLabel = "FILE",
                description = "The offsets in a CSV of topic,partition,offset lines (as --export prints), each "
                        + "kept within the log; names the partitions itself.")
        Path file;
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
        int scopes = (topics == null ? 0 : 1) + (allTopics ? 1 : 0) + (target.file == null ? 0 : 1);
        if (scopes != 1) {
            throw new UsageException("give exactly one of --topic, --all-topics or --from-file (which names its "
                    + "partitions itself)" + (scopes == 0 ? "" : ", not " + scopes));
        }
        // Read first: a malformed file is refused before the cluster is asked anything.
        Map<TopicPartition, Long> fromFile = target.file == null ? null : OffsetsCsv.read(target.file);
        try (FerryAdmin admin = admin(settings())) {
            refuseIfMembers(admin);
            List<TopicPartition> partitions = fromFile != null
                    ? existing(admin, fromFile.keySet())
                    : allTopics ? committedPartitions(admin) : partitions(admin);
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, FerryAdmin.EARLIEST);
            Map<TopicPartition, Long> latest = offsets(admin, partitions, FerryAdmin.LATEST);
            Map<TopicPartition, Long> wanted =
                    fromFile != null ? fromFile : wanted(admin, partitions, earliest, latest);
            Map<TopicPartition, Long> next = new LinkedHashMap<>();
            // As Kafka does: an offset outside the log would only be reset again by auto.offset.reset.
            wanted.forEach((tp, offset) -> next.put(tp, Math.max(earliest.get(tp), Math.min(latest.get(tp), offset))));
            if (mode.execute) {
                admin.alterConsumerGroupOffsets(group.id, next);
            } else if (!mode.dryRun) {
                err().println("Dry run (the default): nothing was changed; add --execute to commit these offsets.");
            }
            out().print(export ? OffsetsCsv.format(next) : GroupFormat.newOffsets(group.id, next));
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

    /** {@code --all-topics}: the partitions the group has committed offsets for, as Kafka takes them. */
    private List<TopicPartition> committedPartitions(FerryAdmin admin) {
        List<TopicPartition> out =
                new ArrayList<>(admin.listConsumerGroupOffsets(group.id).keySet());
        if (out.isEmpty()) {
            throw new UsageException("--all-topics: group '" + group.id
                    + "' has no committed offsets to reset; name the topics with --topic");
        }
        return out;
    }

    /** {@code --from-file}'s partitions, each checked against its topic. */
    private static List<TopicPartition> existing(FerryAdmin admin, Collection<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new HashMap<>();
        for (TopicPartition tp : partitions) {
            List<Integer> all = byTopic.computeIfAbsent(
                    tp.topic(),
                    t -> describeTopic(admin, t).partitions().stream()
                            .map(PartitionInfo::partition)
                            .toList());
            partition("--from-file", tp.topic(), Integer.toString(tp.partition()), all);
        }
        return List.copyOf(partitions);
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
                out.add(new TopicPartition(topic, partition("--topic " + topic, topic, p, all)));
            }
        }
        return out;
    }

    /** @param option names the option in the error ("--topic orders") */
    private static int partition(String option, String topic, String text, List<Integer> all) {
        try {
            int p = Integer.parseInt(text.trim());
            if (all.contains(p)) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below, with the partitions there are
        }
        throw new UsageException(option + ": partition '" + text + "' does not exist: topic '" + topic + "' has "
                + all.size() + " partition(s), 0.." + (all.size() - 1));
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
