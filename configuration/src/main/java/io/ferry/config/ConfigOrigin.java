package io.ferry.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a configuration value came from, so that every error can point at the line, variable or
 * flag to fix. Immutable.
 *
 * @param kind        which source, in increasing precedence
 * @param description human-readable location, e.g. {@code /etc/ferry/node.properties:12},
 *                    {@code environment variable FERRY_NODE_ID} or {@code flag --override node.id=1}
 */
public record ConfigOrigin(Kind kind, String description) {

    /**
     * The kinds of source. A node's are declared in increasing precedence (a later kind overrides an
     * earlier one: DEFAULT &lt; FILE &lt; ENVIRONMENT &lt; FLAG); SUPPLIED is the one source of settings
     * that a program hands over or a request carries (a client's properties, a topic's overrides).
     */
    public enum Kind {
        DEFAULT,
        FILE,
        ENVIRONMENT,
        FLAG,
        SUPPLIED
    }

    public ConfigOrigin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
    }

    public static ConfigOrigin defaultValue() {
        return new ConfigOrigin(Kind.DEFAULT, "default");
    }

    public static ConfigOrigin fileLine(Path file, int line) {
        return new ConfigOrigin(Kind.FILE, file + ":" + line);
    }

    public static ConfigOrigin environment(String variable) {
        return new ConfigOrigin(Kind.ENVIRONMENT, "environment variable " + variable);
    }

    public static ConfigOrigin flag(String text) {
        return new ConfigOrigin(Kind.FLAG, "flag --override " + text);
    }

    /** @param what whose settings, e.g. {@code producer configuration} or {@code topic config} */
    public static ConfigOrigin supplied(String what) {
        return new ConfigOrigin(Kind.SUPPLIED, what);
    }

    @Override
    public String toString() {
        return description;
    }
}
