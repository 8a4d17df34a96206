package io.ferry.storage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** {@code cleanup.policy}: what happens to old records, with Kafka's names. */
public enum CleanupPolicy {
    /** Whole segments are deleted by {@code retention.ms} / {@code retention.bytes}. */
    DELETE("delete"),
    /** Only the latest record of each key is kept (log compaction); nothing is deleted by age or size. */
    COMPACT("compact"),
    /** Both: compacted, and old segments deleted by retention. */
    COMPACT_DELETE("compact,delete");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value as written in a configuration: {@code delete}, {@code compact} or {@code compact,delete}. */
    public String configValue() {
        return configValue;
    }

    public boolean compacts() {
        return this != DELETE;
    }

    public boolean deletes() {
        return this != COMPACT;
    }

    /**
     * Parses a comma-separated list of {@code delete} and {@code compact}, in any order, as Kafka accepts it.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static CleanupPolicy parse(String value) {
        Set<String> names = new TreeSet<>();
        for (String part : value.split(",", -1)) {
            names.add(part.trim().toLowerCase(Locale.ROOT));
        }
        if (names.equals(Set.of("delete"))) {
            return DELETE;
        }
        if (names.equals(Set.of("compact"))) {
            return COMPACT;
        }
        if (names.equals(Set.of("compact", "delete"))) {
            return COMPACT_DELETE;
        }
        throw new IllegalArgumentException("cleanup.policy is '" + value + "' but must be one of "
                + Arrays.stream(values()).map(CleanupPolicy::configValue).toList());
    }
}
