package io.ferry.config;

import java.util.Objects;

/**
 * A topic-level key: its declaration, and the node key whose value on a broker a topic takes when it
 * does not set this one (Kafka's "server default property": {@code retention.ms} takes
 * {@code log.retention.ms}). Same type as that node key, and the same default. Immutable.
 *
 * @param key           the declaration: name, type, default, validator, importance, doc
 * @param serverDefault the node key that supplies the cluster-wide default
 * @param <T>           the Java type of the key's value
 */
public record TopicKey<T>(ConfigKey<T> key, ConfigKey<T> serverDefault) {

    public TopicKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(serverDefault, "serverDefault");
        if (!key.type().equals(serverDefault.type()) || !key.defaultValue().equals(serverDefault.defaultValue())) {
            throw new IllegalArgumentException(key + " must have the type and default of " + serverDefault);
        }
    }

    /**
     * A topic key of {@code serverDefault}'s type and default, with its own validator (a topic may
     * allow what a node does not, or the reverse) and doc.
     */
    public static <T> TopicKey<T> define(
            String name,
            ConfigKey<T> serverDefault,
            Validator<? super T> validator,
            Importance importance,
            String doc) {
        T defaultValue = serverDefault
                .defaultValue()
                .orElseThrow(
                        () -> new IllegalArgumentException(serverDefault + " has no default for " + name + " to take"));
        return new TopicKey<>(
                ConfigKey.define(name, serverDefault.type(), defaultValue, validator, importance, doc), serverDefault);
    }

    public String name() {
        return key.name();
    }
}
