package io.ferry.config;

import java.util.Map;

/**
 * The resolved value of every key of a {@link ConfigDef}, each with the source that set it.
 * Immutable and thread-safe.
 */
public final class ConfigValues {

    record Resolved(Object value, ConfigOrigin origin) {}

    private final ConfigDef definition;
    private final Map<String, Resolved> values;

    ConfigValues(ConfigDef definition, Map<String, Resolved> values) {
        this.definition = definition;
        this.values = Map.copyOf(values);
    }

    /**
     * @throws IllegalArgumentException if {@code key} is not part of the definition these values were
     *                                  resolved against (a programming error, not a user error)
     */
    public <T> T get(ConfigKey<T> key) {
        @SuppressWarnings("unchecked")
        T value = (T) resolved(key).value();
        return value;
    }

    /** Where the value of {@code key} came from; {@link ConfigOrigin.Kind#DEFAULT} when no source set it. */
    public ConfigOrigin origin(ConfigKey<?> key) {
        return resolved(key).origin();
    }

    private Resolved resolved(ConfigKey<?> key) {
        if (definition.key(key.name()).orElse(null) != key) {
            throw new IllegalArgumentException("key " + key + " is not part of this definition");
        }
        return values.get(key.name());
    }
}
