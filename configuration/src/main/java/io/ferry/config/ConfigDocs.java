package io.ferry.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders a configuration reference (Markdown) from {@link ConfigDef}s, so that the reference cannot
 * drift from the declarations.
 */
public final class ConfigDocs {

    /**
     * One part of a reference: a heading, an introduction, a table of its keys (by importance, then
     * name) and an entry per key. A key that an earlier section already describes (the same
     * {@link ConfigKey}, such as a client key every client reads) is listed in the table and linked
     * to that entry, not described again.
     *
     * @param title the section's heading
     * @param intro Markdown under the heading
     * @param keys  the section's keys
     * @param facts more facts about a key, each shown as a {@code - name: value} line of its entry
     *              (its environment variable, say); empty for none
     */
    public record Section(String title, String intro, ConfigDef keys, Function<ConfigKey<?>, List<String>> facts) {}

    private ConfigDocs() {}

    /**
     * A whole reference: a title, a preamble, a list of the sections and the sections. Anchors are
     * the ones GitHub gives the headings (a repeated heading gets {@code -1}, {@code -2}, ...), so the
     * links work there.
     */
    public static String markdown(String title, String preamble, List<Section> sections) {
        Anchors anchors = new Anchors();
        anchors.add(title);
        List<String> sectionAnchors = new ArrayList<>();
        Map<ConfigKey<?>, String> described = new HashMap<>();
        List<List<ConfigKey<?>>> describedIn = new ArrayList<>();
        for (Section section : sections) {
            sectionAnchors.add(anchors.add(section.title()));
            List<ConfigKey<?>> mine = new ArrayList<>();
            for (ConfigKey<?> key : ordered(section.keys())) {
                if (!described.containsKey(key)) {
                    described.put(key, anchors.add(key.name()));
                    mine.add(key);
                }
            }
            describedIn.add(mine);
        }

        StringBuilder sb = new StringBuilder("# ")
                .append(title)
                .append("\n\n")
                .append(preamble)
                .append("\n\n");
        for (int i = 0; i < sections.size(); i++) {
            sb.append("- [")
                    .append(sections.get(i).title())
                    .append("](#")
                    .append(sectionAnchors.get(i))
                    .append(")\n");
        }
        for (int i = 0; i < sections.size(); i++) {
            Section section = sections.get(i);
            sb.append("\n## ")
                    .append(section.title())
                    .append("\n\n")
                    .append(section.intro())
                    .append("\n\n")
                    .append("| key | type | default | importance |\n|---|---|---|---|\n");
            for (ConfigKey<?> key : ordered(section.keys())) {
                sb.append("| [`")
                        .append(key.name())
                        .append("`](#")
                        .append(described.get(key))
                        .append(") | ")
                        .append(key.type().name())
                        .append(" | ")
                        .append(defaultText(key))
                        .append(" | ")
                        .append(importance(key))
                        .append(" |\n");
            }
            for (ConfigKey<?> key : describedIn.get(i)) {
                sb.append("\n### ")
                        .append(key.name())
                        .append("\n\n")
                        .append(key.doc())
                        .append("\n\n")
                        .append("- type: ")
                        .append(key.type().name())
                        .append('\n')
                        .append("- default: ")
                        .append(defaultText(key))
                        .append('\n');
                String valid = key.validator().describe();
                if (!valid.isEmpty()) {
                    sb.append("- valid values: ").append(valid).append('\n');
                }
                sb.append("- importance: ").append(importance(key)).append('\n');
                for (String fact : section.facts().apply(key)) {
                    sb.append("- ").append(fact).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** A Markdown table of {@code definition}'s keys in definition order: key, type, default, description. */
    public static String table(ConfigDef definition) {
        StringBuilder sb = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
        for (ConfigKey<?> key : definition.keys()) {
            sb.append("| `")
                    .append(key.name())
                    .append("` | ")
                    .append(key.type().name())
                    .append(" | ")
                    .append(defaultText(key))
                    .append(" | ")
                    .append(key.doc().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static List<ConfigKey<?>> ordered(ConfigDef definition) {
        return definition.keys().stream()
                .sorted(Comparator.comparing((ConfigKey<?> k) -> k.importance()).thenComparing(ConfigKey::name))
                .toList();
    }

    private static <T> String defaultText(ConfigKey<T> key) {
        return key.defaultValue()
                .map(v -> {
                    String text = key.type().format(v);
                    return text.isEmpty() ? "(empty)" : "`" + text + "`";
                })
                .orElse("(required)");
    }

    private static String importance(ConfigKey<?> key) {
        return key.importance().name().toLowerCase(Locale.ROOT);
    }

    /**
     * GitHub's heading anchors (github-slugger): lower case, punctuation but {@code -} and {@code _}
     * dropped, spaces as {@code -}; a repeated one gets {@code -1}, {@code -2}, ... Not thread-safe.
     */
    private static final class Anchors {
        private final Map<String, Integer> occurrences = new HashMap<>();

        String add(String heading) {
            String original = heading.toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            String anchor = original;
            while (occurrences.containsKey(anchor)) {
                anchor = original + "-" + occurrences.merge(original, 1, Integer::sum);
            }
            occurrences.put(anchor, 0);
            return anchor;
        }
    }
}
