package io.ferry.cli.internal;

import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.FerryAdmin;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry groups list|describe|reset-offsets|delete-offsets|delete}, as {@code kafka-consumer-groups.sh}. */
@Command(
        name = "groups",
        mixinStandardHelpOptions = true,
        description = "List, describe and delete consumer groups, reset and delete their committed offsets.",
        subcommands = {
            GroupsCommand.ListGroups.class,
            GroupsCommand.Describe.class,
            ResetOffsetsCommand.class,
            GroupsCommand.DeleteOffsets.class,
            GroupsCommand.Delete.class
        })
public final class GroupsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand: one of " + spec.subcommands().keySet());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List consumer group ids, one per line.")
    static final class ListGroups extends ClientCommand {

        ListGroups(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                admin.listConsumerGroups().stream()
                        .map(ConsumerGroupListing::groupId)
                        .forEach(out()::println);
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Show a group's committed offsets, log end offsets and lag per partition, with the member "
                    + "owning each; or its members with --members.")
    static final class Describe extends ClientCommand {

        @Mixin
        GroupOption group;

        @Option(names = "--members", description = "List the members and what each owns instead.")
        boolean members;

        Describe(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                ConsumerGroupDescription description =
                        admin.describeConsumerGroups(List.of(group.id)).get(group.id);
                if (members) {
                    out().print(GroupFormat.members(description));
                    return ErrorReporter.OK;
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.id);
                Set<TopicPartition> partitions = new LinkedHashSet<>(committed.keySet());
                description.members().forEach(m -> partitions.addAll(m.assignment()));
                out().print(GroupFormat.offsets(description, committed, logEndOffsets(admin, partitions)));
            }
            return ErrorReporter.OK;
        }

        private static Map<TopicPartition, Long> logEndOffsets(FerryAdmin admin, Set<TopicPartition> partitions) {
            Map<TopicPartition, Long> specs = new HashMap<>();
            partitions.forEach(tp -> specs.put(tp, FerryAdmin.LATEST));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(specs).forEach((tp, found) -> {
                if (found != null) {
                    ends.put(tp, found.offset());
                }
            });
            return ends;
        }
    }

    @Command(
            name = "delete-offsets",
            mixinStandardHelpOptions = true,
            description = "Delete a group's committed offsets of a topic (refused while a member subscribes to it).")
    static final class DeleteOffsets extends ClientCommand {

        @Mixin
        GroupOption group;

        @Option(
                names = {"-t", "--topic"},
                required = true,
                paramLabel = "NAME",
                description = "Topic whose offsets go, on every partition.")
        String topic;

        DeleteOffsets(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                List<TopicPartition> partitions = describeTopic(admin, topic).partitions().stream()
                        .map(PartitionInfo::partition)
                        .map(p -> new TopicPartition(topic, p))
                        .toList();
                admin.deleteConsumerGroupOffsets(group.id, partitions);
                out().println("Deleted the offsets of topic " + topic + " from group " + group.id + ".");
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a group with its committed offsets (refused while it has members).")
    static final class Delete extends ClientCommand {

        @Mixin
        GroupOption group;

        Delete(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                admin.deleteConsumerGroups(List.of(group.id));
                out().println("Deleted consumer group " + group.id + ".");
            }
            return ErrorReporter.OK;
        }
    }
}
