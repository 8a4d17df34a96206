package io.ferry.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders the configuration reference (Markdown) from a {@link ConfigDef}, so that the reference
 * cannot drift from the definitions. Keys are ordered by importance, then name.
 */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    /** The whole reference document: how sources combine, then one section per key. */
    public static String markdown(ConfigDef definition) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n")
          .append("<!-- Generated from the key declarations in the configuration module (io.ferry.config.NodeKeys). ")
          .append("Do not edit: ConfigReferenceTest fails when this file is out of date and says how to ")
          .append("regenerate it. -->\n\n")
          .append("A node reads its configuration from these sources; a later source overrides an earlier one:\n\n")
          .append("1. the defaults below;\n")
          .append("2. the properties file given with `--config <path>` (one `key=value` per line, `#` or `!` ")
          .append("comments, a trailing `\\` continues a line, no escape sequences; a key set twice is an error);\n")
          .append("3. environment variables `").append(ConfigSources.ENV_PREFIX).append("*`: the key upper-cased ")
          .append("with `.` replaced by `_` (`node.id` is `FERRY_NODE_ID`). These variables are launch-script ")
          .append("settings, not keys, and are ignored: ")
          .append(ConfigSources.NON_CONFIG_ENVIRONMENT_VARIABLES.stream().sorted()
                  .map(v -> "`" + v + "`").collect(Collectors.joining(", ")))
          .append(". Any other `").append(ConfigSources.ENV_PREFIX).append("*` variable must name a key;\n")
          .append("4. `--override key=value` flags, repeatable; for a key given twice the later flag wins.\n\n")
          .append("An unknown key or a malformed value in any source stops start-up with a message naming the ")
          .append("key, where it was set (file and line, variable or flag) and what was expected. Every problem ")
          .append("is reported at once, including values that a later source overrides.\n\n")
          .append("Durations are whole milliseconds and sizes whole bytes, as in Kafka.\n");
        List<ConfigKey<?>> keys = definition.keys().stream()
                .sorted(Comparator.comparing((ConfigKey<?> k) -> k.importance()).thenComparing(ConfigKey::name))
                .toList();
        sb.append("\n| key | type | default | importance |\n|---|---|---|---|\n");
        for (ConfigKey<?> key : keys) {
            sb.append("| [`").append(key.name()).append("`](#").append(key.name().replace(".", ""))
              .append(") | ").append(key.type().name()).append(" | ").append(defaultText(key))
              .append(" | ").append(importance(key)).append(" |\n");
        }
        for (ConfigKey<?> key : keys) {
            sb.append("\n## ").append(key.name()).append("\n\n")
              .append(key.doc()).append("\n\n")
              .append("- type: ").append(key.type().name()).append('\n')
              .append("- default: ").append(defaultText(key)).append('\n');
            String valid = key.validator().describe();
            if (!valid.isEmpty()) {
                sb.append("- valid values: ").append(valid).append('\n');
            }
            sb.append("- importance: ").append(importance(key)).append('\n')
              .append("- environment variable: `").append(key.environmentVariable()).append("`\n");
        }
        return sb.toString();
    }

    private static <T> String defaultText(ConfigKey<T> key) {
        return key.defaultValue().map(v -> {
            String text = key.type().format(v);
            return text.isEmpty() ? "(empty)" : "`" + text + "`";
        }).orElse("(required)");
    }

    private static String importance(ConfigKey<?> key) {
        return key.importance().name().toLowerCase(java.util.Locale.ROOT);
    }
}
