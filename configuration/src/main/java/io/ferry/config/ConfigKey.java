package io.ferry.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The single definition of one configuration key: name, type, default, validation, importance and
 * documentation (the model is Kafka's {@code ConfigDef.define}). Typed, so that reading a value
 * needs no cast. Immutable and thread-safe.
 *
 * @param <T> the Java type of the key's value
 */
public final class ConfigKey<T> {

    /** Lower-case dotted words: keeps the environment-variable mapping one-to-one. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z0-9]+)*");

    private final String name;
    private final ConfigType<T> type;
    private final T defaultValue;
    private final Validator<? super T> validator;
    private final Importance importance;
    private final String doc;

    private ConfigKey(
            String name,
            ConfigType<T> type,
            T defaultValue,
            Validator<? super T> validator,
            Importance importance,
            String doc) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("key names are lower-case dotted words: " + name);
        }
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = defaultValue;
        this.validator = Objects.requireNonNull(validator, "validator");
        this.importance = Objects.requireNonNull(importance, "importance");
        this.doc = Objects.requireNonNull(doc, "doc");
        if (defaultValue != null && validator.problem(defaultValue).isPresent()) {
            throw new IllegalArgumentException("default of " + name + " is invalid: "
                    + validator.problem(defaultValue).get());
        }
    }

    /** A key with a default value, used when no source sets it. */
    public static <T> ConfigKey<T> define(
            String name,
            ConfigType<T> type,
            T defaultValue,
            Validator<? super T> validator,
            Importance importance,
            String doc) {
        return new ConfigKey<>(
                name, type, Objects.requireNonNull(defaultValue, "defaultValue"), validator, importance, doc);
    }

    /** A key with no default: start-up fails unless a source sets it. */
    public static <T> ConfigKey<T> required(
            String name, ConfigType<T> type, Validator<? super T> validator, Importance importance, String doc) {
        return new ConfigKey<>(name, type, null, validator, importance, doc);
    }

    public String name() {
        return name;
    }

    public ConfigType<T> type() {
        return type;
    }

    /** Empty for a required key. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public Validator<? super T> validator() {
        return validator;
    }

    public Importance importance() {
        return importance;
    }

    public String doc() {
        return doc;
    }

    /** The environment variable that sets this key: {@code node.id} → {@code FERRY_NODE_ID}. */
    public String environmentVariable() {
        return ConfigSources.ENV_PREFIX + name.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * Parses and validates one value of this key given on its own, outside {@link ConfigDef#resolve}
     * (one override in a request, say).
     *
     * @throws ConfigException with one problem naming this key, {@code origin} and what was expected
     */
    public T parse(String text, ConfigOrigin origin) throws ConfigException {
        try {
            return parseValue(text);
        } catch (InvalidValueException e) {
            throw new ConfigException(new ConfigProblem(name, origin, e.getMessage()));
        }
    }

    /** Parses and validates one value of this key. */
    T parseValue(String text) throws InvalidValueException {
        T value = type.parse(text);
        Optional<String> problem = validator.problem(value);
        if (problem.isPresent()) {
            throw new InvalidValueException(problem.get());
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
