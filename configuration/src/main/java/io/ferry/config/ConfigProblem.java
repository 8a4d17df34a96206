package io.ferry.config;

import java.util.Objects;

/**
 * One reason a configuration was rejected.
 *
 * @param key     the key concerned, as written by the user (may be unknown to the definition)
 * @param origin  where the offending value (or the key's absence) comes from
 * @param message what is wrong and what was expected
 */
public record ConfigProblem(String key, ConfigOrigin origin, String message) {
    public ConfigProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return key + " (" + origin + "): " + message;
    }
}
