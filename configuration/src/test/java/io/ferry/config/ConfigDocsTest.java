package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    private static final ConfigKey<Long> SHARED = ConfigKey.define(
            "request.timeout.ms",
            ConfigType.DURATION_MS,
            5L,
            Validators.atLeast(1),
            Importance.HIGH,
            "Shared by both clients.");
    private static final ConfigKey<Long> NODE_TIMEOUT = ConfigKey.define(
            "request.timeout.ms", ConfigType.DURATION_MS, 7L, Validators.any(), Importance.LOW, "The node's own.");
    private static final ConfigKey<Boolean> OWN = ConfigKey.define(
            "own.flag", ConfigType.BOOLEAN, false, Validators.any(), Importance.MEDIUM, "Only the second client's.");

    @Test
    void aKeyIsDescribedOnceAndLinkedFromEveryTableThatListsIt() {
        String doc = ConfigDocs.markdown(
                "Reference",
                "Preamble.",
                List.of(
                        new ConfigDocs.Section(
                                "Node", "Node keys.", ConfigDef.of(NODE_TIMEOUT), k -> List.of("fact: one")),
                        new ConfigDocs.Section("First client", "", ConfigDef.of(SHARED), k -> List.of()),
                        new ConfigDocs.Section("Second client", "", ConfigDef.of(SHARED, OWN), k -> List.of())));

        assertTrue(
                doc.startsWith("# Reference\n\nPreamble.\n\n- [Node](#node)\n- [First client](#first-client)\n"
                        + "- [Second client](#second-client)\n"),
                doc);
        assertEquals(2, doc.split("\n### request.timeout.ms\n", -1).length - 1, "node's and the clients' key: " + doc);
        assertTrue(doc.contains("| [`request.timeout.ms`](#requesttimeoutms) | duration (ms) | `7` | low |"), doc);
        assertEquals(
                2,
                doc.split("\\Q| [`request.timeout.ms`](#requesttimeoutms-1) | duration (ms) | `5` | high |\\E", -1)
                                .length
                        - 1,
                "both client tables link to the one entry: " + doc);
        assertTrue(
                doc.contains("\n### own.flag\n\nOnly the second client's.\n\n- type: boolean\n- default: `false`\n"
                        + "- importance: medium\n"),
                doc);
        assertTrue(doc.contains("- valid values: [1, ...]\n- importance: high\n"), doc);
        assertTrue(doc.contains("- importance: low\n- fact: one\n"), doc);
    }

    @Test
    void aTableListsKeysInDefinitionOrder() {
        assertEquals(
                "| key | type | default | description |\n|---|---|---|---|\n"
                        + "| `request.timeout.ms` | duration (ms) | `5` | Shared by both clients. |\n"
                        + "| `own.flag` | boolean | `false` | Only the second client's. |\n",
                ConfigDocs.table(ConfigDef.of(SHARED, OWN)));
    }
}
