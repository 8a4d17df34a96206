package io.ferry.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A set of {@link ConfigKey} definitions, and the rules that turn the settings of several sources
 * into one {@link ConfigValues}. Immutable and thread-safe.
 */
public final class ConfigDef {

    private final Map<String, ConfigKey<?>> keys;

    private ConfigDef(Map<String, ConfigKey<?>> keys) {
        this.keys = keys;
    }

    /** @throws IllegalArgumentException if two keys share a name */
    public static ConfigDef of(ConfigKey<?>... keys) {
        Map<String, ConfigKey<?>> map = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            if (map.putIfAbsent(key.name(), key) != null) {
                throw new IllegalArgumentException("key defined twice: " + key.name());
            }
        }
        return new ConfigDef(java.util.Collections.unmodifiableMap(map));
    }

    /** The keys in definition order. */
    public Collection<ConfigKey<?>> keys() {
        return keys.values();
    }

    public Optional<ConfigKey<?>> key(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    /**
     * Resolves settings given in increasing precedence: for each key the last setting wins, and keys
     * no setting names take their default.
     *
     * <p>Every setting is checked, including ones a later source overrides: a malformed line in a
     * file is reported even when a flag hides it, because it would bite the next time.
     *
     * @throws ConfigException listing every unknown key, malformed or invalid value and missing
     *                         required key
     */
    public ConfigValues resolve(List<RawSetting> settings) throws ConfigException {
        return resolve(settings, key -> "");
    }

    /**
     * As {@link #resolve(List)}, with a hint for each required key no setting names.
     *
     * @param howToSet how a user sets a key where these settings come from (e.g.
     *                 {@link ConfigSources#howToSet}); empty for no hint
     */
    public ConfigValues resolve(List<RawSetting> settings, Function<ConfigKey<?>, String> howToSet)
            throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, ConfigValues.Resolved> values = new HashMap<>();
        for (RawSetting setting : settings) {
            ConfigKey<?> key = keys.get(setting.key());
            if (key == null) {
                problems.add(new ConfigProblem(
                        setting.key(),
                        setting.origin(),
                        "unknown configuration key"
                                + closest(setting.key())
                                        .map(k -> " (did you mean "
                                                + (setting.origin().kind() == ConfigOrigin.Kind.ENVIRONMENT
                                                        ? k.environmentVariable()
                                                        : k.name())
                                                + "?)")
                                        .orElse("")
                                + (setting.origin().kind() == ConfigOrigin.Kind.ENVIRONMENT
                                        ? " (a " + ConfigSources.ENV_PREFIX
                                                + "* variable must name a key, or be one of "
                                                + ConfigSources.NON_CONFIG_ENVIRONMENT_VARIABLES + ")"
                                        : "")));
                continue;
            }
            try {
                values.put(key.name(), new ConfigValues.Resolved(key.parseValue(setting.value()), setting.origin()));
            } catch (InvalidValueException e) {
                problems.add(new ConfigProblem(key.name(), setting.origin(), e.getMessage()));
            }
        }
        for (ConfigKey<?> key : keys.values()) {
            if (values.containsKey(key.name())) {
                continue;
            }
            Optional<?> defaultValue = key.defaultValue();
            if (defaultValue.isPresent()) {
                values.put(key.name(), new ConfigValues.Resolved(defaultValue.get(), ConfigOrigin.defaultValue()));
            } else if (problems.stream().noneMatch(p -> p.key().equals(key.name()))) {
                String hint = howToSet.apply(key);
                problems.add(new ConfigProblem(
                        key.name(),
                        ConfigOrigin.defaultValue(),
                        "required key is not set" + (hint.isEmpty() ? "" : " (" + hint + ")")));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ConfigValues(this, values);
    }

    /** Most typos are one or two edits away; beyond that a suggestion is more confusing than helpful. */
    private static final int MAX_SUGGESTION_DISTANCE = 2;

    private Optional<ConfigKey<?>> closest(String unknown) {
        ConfigKey<?> best = null;
        int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
        for (ConfigKey<?> key : keys.values()) {
            int d = editDistance(unknown, key.name());
            if (d < bestDistance) {
                best = key;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance; inputs are configuration key names (short), so the quadratic cost is irrelevant. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
