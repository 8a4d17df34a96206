package io.ferry.cli.internal;

import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.PartialGroupListingException;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
public final class GroupsCommand extends ParentCommand {

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List consumer group ids, one per line; with --state, each group's state too.")
    static final class ListGroups extends ClientCommand {

        @Option(
                names = "--state",
                arity = "0..1",
                split = ",",
                fallbackValue = "",
                paramLabel = "STATE",
                description = "Print each group's state; with states (EMPTY, ASSIGNING, RECONCILING, STABLE, any "
                        + "case), only the groups in one of them.")
        List<String> states;

        ListGroups(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            GroupStateFilter filter = states == null ? null : GroupStateFilter.of(states);
            try (FerryAdmin admin = admin(settings())) {
                withListedGroups(admin::listConsumerGroups, groups -> {
                    if (filter == null) {
                        groups.forEach(g -> out().println(g.groupId()));
                    } else {
                        out().print(GroupFormat.states(
                                groups.stream().filter(filter::accepts).toList()));
                    }
                });
            }
            return ErrorReporter.OK;
        }
    }

    /**
     * Runs {@code print} on the cluster's groups. When some brokers did not answer it runs on the groups of
     * the others, then throws their failure: what could be listed is printed, and the error follows.
     */
    static void withListedGroups(
            Supplier<List<ConsumerGroupListing>> list, Consumer<List<ConsumerGroupListing>> print) {
        PartialGroupListingException partial = null;
        List<ConsumerGroupListing> groups;
        try {
            groups = list.get();
        } catch (PartialGroupListingException e) {
            partial = e;
            groups = e.listed();
        }
        print.accept(groups);
        if (partial != null) {
            throw partial;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Show a group's committed offsets, log end offsets and lag per partition, with the member "
                    + "owning each; or its members with --members, or its state with --state.")
    static final class Describe extends ClientCommand {

        static final class Which {
            @Option(
                    names = {"-g", "--group"},
                    required = true,
                    paramLabel = "GROUP",
                    description = "Group id.")
            String group;

            @Option(names = "--all-groups", required = true, description = "Every group, one after the other.")
            boolean all;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class View {
            @Option(names = "--members", description = "List the members and what each owns instead.")
            boolean members;

            @Option(
                    names = "--state",
                    description = "Show the group's coordinator, assignor, state and number of members instead.")
            boolean state;
        }

        @ArgGroup(exclusive = true)
        View view = new View();

        Describe(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                if (!which.all) {
                    out().print(describe(admin, which.group));
                    return ErrorReporter.OK;
                }
                withListedGroups(
                        admin::listConsumerGroups,
                        groups -> describeEach(groups, groupId -> describe(admin, groupId), out(), err()));
            }
            return ErrorReporter.OK;
        }

        /**
         * Prints each listed group's description, a blank line between two. A group deleted after it was
         * listed is reported on {@code err} (as Kafka's tool does) and the rest are still described.
         */
        static void describeEach(
                List<ConsumerGroupListing> groups,
                Function<String, String> describe,
                PrintWriter out,
                PrintWriter err) {
            String separator = "";
            for (ConsumerGroupListing listed : groups) {
                String description;
                try {
                    description = describe.apply(listed.groupId());
                } catch (FerryException e) {
                    if (e.code() != ErrorCode.GROUP_ID_NOT_FOUND) {
                        throw e;
                    }
                    err.println(
                            "Consumer group '" + listed.groupId() + "' does not exist (deleted after it was listed).");
                    continue;
                }
                out.print(separator + description);
                separator = "\n";
            }
        }

        private String describe(FerryAdmin admin, String groupId) {
            ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(groupId)).get(groupId);
            if (view.members) {
                return GroupFormat.members(description);
            }
            if (view.state) {
                return GroupFormat.state(description);
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(description.groupId());
            Set<TopicPartition> partitions = new LinkedHashSet<>(committed.keySet());
            description.members().forEach(m -> partitions.addAll(m.assignment()));
            return GroupFormat.offsets(description, committed, logEndOffsets(admin, partitions));
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
