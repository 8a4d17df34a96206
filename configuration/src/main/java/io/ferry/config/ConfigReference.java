package io.ferry.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code docs/configuration.md}: every declared key, a section per kind (node, topic, ...), rendered
 * by {@link ConfigDocs}. {@code ConfigReferenceTest} fails when the committed file differs.
 */
public final class ConfigReference {

    private ConfigReference() {}

    public static String markdown() {
        return ConfigDocs.markdown(
                "Configuration reference",
                PREAMBLE,
                List.of(
                        new ConfigDocs.Section(
                                "Node configuration",
                                NODE,
                                NodeKeys.DEFINITION,
                                key -> List.of("environment variable: `" + key.environmentVariable() + "`")),
                        new ConfigDocs.Section("Topic configuration", TOPIC, TopicKeys.DEFINITION, serverDefaults()),
                        new ConfigDocs.Section("Client configuration", CLIENT, ClientKeys.DEFINITION, key -> List.of()),
                        new ConfigDocs.Section(
                                "Producer configuration", PRODUCER, ProducerKeys.DEFINITION, key -> List.of()),
                        new ConfigDocs.Section(
                                "Consumer configuration", CONSUMER, ConsumerKeys.DEFINITION, key -> List.of()),
                        new ConfigDocs.Section(
                                "Admin client configuration", ADMIN, AdminKeys.DEFINITION, key -> List.of())));
    }

    private static Function<ConfigKey<?>, List<String>> serverDefaults() {
        Map<ConfigKey<?>, String> names = TopicKeys.ALL.stream()
                .collect(Collectors.toMap(TopicKey::key, k -> k.serverDefault().name()));
        return key -> List.of("server default property: `" + names.get(key) + "` (a topic that does not set "
                + key.name() + " takes the broker's value of it)");
    }

    private static final String PREAMBLE = "<!-- Generated from the key declarations in the configuration module "
            + "(io.ferry.config: NodeKeys, TopicKeys, ClientKeys, ProducerKeys, ConsumerKeys, AdminKeys). Do not edit: ConfigReferenceTest fails when this file is out "
            + "of date and says how to regenerate it. -->\n\n"
            + "Every key Ferry reads, declared once with its type, default, valid values, importance and "
            + "documentation. Durations are whole milliseconds and sizes whole bytes, as in Kafka.";

    private static final String NODE = "A node reads its configuration from these sources; a later source "
            + "overrides an earlier one:\n\n"
            + "1. the defaults below;\n"
            + "2. the properties file given with `--config <path>` (one `key=value` per line, `#` or `!` "
            + "comments, a trailing `\\` continues a line, no escape sequences; a key set twice is an error);\n"
            + "3. environment variables `" + ConfigSources.ENV_PREFIX + "*`: the key upper-cased with `.` replaced "
            + "by `_` (`node.id` is `FERRY_NODE_ID`). These variables are launch-script settings, not keys, and are "
            + "ignored: "
            + ConfigSources.NON_CONFIG_ENVIRONMENT_VARIABLES.stream()
                    .sorted()
                    .map(v -> "`" + v + "`")
                    .collect(Collectors.joining(", "))
            + ". Any other `" + ConfigSources.ENV_PREFIX + "*` variable must name a key;\n"
            + "4. `--override key=value` flags, repeatable; for a key given twice the later flag wins.\n\n"
            + "An unknown key or a malformed value in any source stops start-up with a message naming the key, "
            + "where it was set (file and line, variable or flag) and what was expected. Every problem is reported "
            + "at once, including values that a later source overrides.";

    private static final String TOPIC = "A topic's overrides, given when it is created (`CreateTopic.configs`, "
            + "`ferry topic create --config key=value`) and changed later (`AlterTopicConfigs`, "
            + "`ferry topic alter`). A topic that does not set a key takes the broker's value of the key's server "
            + "default property, so the defaults below are those of a broker left at its own defaults. The broker "
            + "that receives the request refuses an unknown key, a malformed value or one out of range with "
            + "INVALID_CONFIG naming the key and what was expected.";

    private static final String CLIENT = "A Java client takes its configuration as a `Map` or `Properties` "
            + "(`ProducerConfig.of`, `ConsumerConfig.of`, `AdminConfig.of`); a value may be a string, a number, "
            + "a boolean, or a `List` for a list. An unknown key, a missing required key or a malformed value is a "
            + "`FerryConfigException` naming each key and what was expected. The `ferry` command reads the same "
            + "keys from its `--command-config` file. Every client reads the keys below but "
            + "`default.api.timeout.ms`, which only the consumer and the admin client read; each client's own keys "
            + "follow.";

    private static final String PRODUCER = "`FerryProducer` (`ProducerConfig`), with Kafka's names, meanings and "
            + "defaults; the table lists the client keys it reads too.";

    private static final String CONSUMER = "`FerryConsumer` (`ConsumerConfig`), with Kafka's names, meanings and "
            + "defaults; the table lists the client keys it reads too.";

    private static final String ADMIN = "`FerryAdmin` (`AdminConfig`): the client keys it reads, none of its own.";
}
