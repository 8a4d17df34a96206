package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import io.ferry.client.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry topic create|list|describe|alter|delete-records|delete|dump}. */
@Command(
        name = "topic",
        mixinStandardHelpOptions = true,
        description = "Create, list, describe, alter and delete topics, delete records, dump a partition's batches.",
        subcommands = {
            TopicCommand.Create.class,
            TopicCommand.ListTopics.class,
            TopicCommand.Describe.class,
            TopicCommand.Alter.class,
            TopicCommand.DeleteRecords.class,
            TopicCommand.Delete.class,
            TopicDumpCommand.class
        })
public final class TopicCommand extends ParentCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create extends ClientCommand {

        @Mixin
        TopicOption topic;

        @Option(
                names = {"-p", "--partitions"},
                paramLabel = "N",
                description = "Number of partitions (default: the broker's num.partitions).")
        Integer partitions;

        @Option(
                names = {"-r", "--replication-factor"},
                paramLabel = "N",
                description = "Replicas of each partition (default: the broker's default.replication.factor).")
        Integer replicationFactor;

        @Option(
                names = {"-c", "--config"},
                paramLabel = "KEY=VALUE",
                description = "Topic setting, repeatable (e.g. retention.ms=86400000, min.insync.replicas=2).")
        Map<String, String> configs = new LinkedHashMap<>();

        Create(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                TopicDescription created = admin.createTopic(
                        topic.name,
                        partitions == null ? 0 : partitions,
                        replicationFactor == null ? 0 : replicationFactor,
                        configs);
                out().println("Created topic " + created.name() + " with "
                        + created.partitions().size() + " partition(s), replication factor "
                        + created.replicationFactor() + ".");
            }
            return ErrorReporter.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topic names, one per line.")
    static final class ListTopics extends ClientCommand {

        ListTopics(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                admin.listTopics().forEach(out()::println);
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Describe topics: settings, and each partition's leader, epoch, replicas and ISR.")
    static final class Describe extends ClientCommand {

        @Option(
                names = {"-t", "--topic"},
                paramLabel = "NAME",
                description = "Topic to describe (default: all).")
        List<String> topics = List.of();

        @Option(
                names = "--under-replicated",
                description = "Show only partitions whose ISR is smaller than the replica set.")
        boolean underReplicatedOnly;

        Describe(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                Map<String, TopicDescription> topicsByName = admin.describeTopics(topics);
                out().print(TopicFormat.describe(topicsByName.values(), underReplicatedOnly));
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "alter",
            mixinStandardHelpOptions = true,
            description = "Add partitions to a topic, or change its settings (as kafka-configs --alter); "
                    + "what is not named stays as it is.")
    static final class Alter extends ClientCommand {

        @Spec
        CommandSpec spec;

        @Mixin
        TopicOption topic;

        @Option(
                names = {"-p", "--partitions"},
                paramLabel = "N",
                description = "New partition count, above the current one (keys may map to other partitions after).")
        Integer partitions;

        @Option(
                names = {"-c", "--config"},
                paramLabel = "KEY=VALUE",
                description = "Setting to give the topic, repeatable (e.g. retention.ms=3600000).")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(
                names = {"-d", "--delete-config"},
                paramLabel = "KEY",
                description = "Setting to return to the brokers' default, repeatable.")
        List<String> delete = new ArrayList<>();

        Alter(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            if (partitions == null && set.isEmpty() && delete.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(), "nothing to change: give --partitions, --config or --delete-config");
            }
            try (FerryAdmin admin = admin(settings())) {
                if (partitions != null) {
                    TopicDescription grown = admin.createPartitions(topic.name, partitions);
                    out().println("Topic " + topic.name + " has "
                            + grown.partitions().size() + " partition(s).");
                }
                if (!set.isEmpty() || !delete.isEmpty()) {
                    Map<String, String> now = admin.alterTopicConfigs(topic.name, set, delete);
                    out().println("Altered topic " + topic.name + ". Configs: "
                            + (now.isEmpty() ? "none (the broker defaults)" : TopicFormat.configs(now)));
                }
            }
            return ErrorReporter.OK;
        }
    }

    @Command(
            name = "delete-records",
            mixinStandardHelpOptions = true,
            description =
                    "Delete the records before an offset (as kafka-delete-records): the log start moves up to it.")
    static final class DeleteRecords extends ClientCommand {

        @Mixin
        TopicOption topic;

        @Option(
                names = {"-p", "--partition"},
                paramLabel = "N",
                description = "Partition, repeatable (default: every partition of the topic).")
        List<Integer> partitions = new ArrayList<>();

        @Option(
                names = {"-o", "--offset"},
                required = true,
                paramLabel = "OFFSET",
                description = "Records before this offset are deleted; -1: every committed record.")
        long offset;

        DeleteRecords(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                List<Integer> chosen = !partitions.isEmpty()
                        ? partitions
                        : admin.describeTopics(List.of(topic.name)).get(topic.name).partitions().stream()
                                .map(PartitionInfo::partition)
                                .toList();
                Map<TopicPartition, Long> before = new LinkedHashMap<>();
                chosen.forEach(p -> before.put(new TopicPartition(topic.name, p), offset));
                Map<TopicPartition, Long> starts = admin.deleteRecords(before);
                before.keySet()
                        .forEach(tp -> out().println("Partition " + tp.partition() + " of " + topic.name
                                + ": log start offset " + starts.get(tp)));
            }
            return ErrorReporter.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete extends ClientCommand {

        @Mixin
        TopicOption topic;

        Delete(Environment environment) {
            super(environment);
        }

        @Override
        public Integer call() {
            try (FerryAdmin admin = admin(settings())) {
                admin.deleteTopic(topic.name);
                out().println("Deleted topic " + topic.name + ".");
            }
            return ErrorReporter.OK;
        }
    }
}
