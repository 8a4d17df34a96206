package io.ferry.node.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, ConfigValues.Resolved> values = new HashMap<>();
        for (RawSetting setting : settings) {
            ConfigKey<?> key = keys.get(setting.key());
            if (key == null) {
                problems.add(new ConfigProblem(setting.key(), setting.origin(), "unknown configuration key"
                        + (setting.origin().kind() == ConfigOrigin.Kind.ENVIRONMENT
                        ? " (a " + ConfigSources.ENV_PREFIX + "* variable must name a key, or be one of "
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
                problems.add(new ConfigProblem(key.name(), ConfigOrigin.defaultValue(), "required key is not set"
                        + " (set it in the --config file, as " + key.environmentVariable()
                        + " or with --override " + key.name() + "=...)"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ConfigValues(this, values);
    }
}
