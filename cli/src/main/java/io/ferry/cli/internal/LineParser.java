package io.ferry.cli.internal;

import java.nio.charset.StandardCharsets;

/**
 * Splits an input line into key and value for {@code ferry produce}: a fixed key, a key before the
 * first occurrence of a separator, or no key. Immutable.
 */
public final class LineParser {

    /** One parsed line; {@code key} is null for a record without a key. */
    public record KeyValue(byte[] key, byte[] value) {}

    private final byte[] fixedKey;
    private final String separator;

    /**
     * @param fixedKey  the key of every record, or null
     * @param separator splits each line at its first occurrence, or null; not both
     */
    public LineParser(String fixedKey, String separator) {
        if (fixedKey != null && separator != null) {
            throw new IllegalArgumentException("a fixed key and a key separator exclude each other");
        }
        if (separator != null && separator.isEmpty()) {
            throw new UsageException("--key-separator must not be empty");
        }
        this.fixedKey = fixedKey == null ? null : fixedKey.getBytes(StandardCharsets.UTF_8);
        this.separator = separator;
    }

    /** @throws UsageException when a separator is expected and the line has none */
    public KeyValue parse(String line) {
        if (separator == null) {
            return new KeyValue(fixedKey, line.getBytes(StandardCharsets.UTF_8));
        }
        int at = line.indexOf(separator);
        if (at < 0) {
            throw new UsageException("no key separator '" + separator + "' in the line");
        }
        return new KeyValue(
                line.substring(0, at).getBytes(StandardCharsets.UTF_8),
                line.substring(at + separator.length()).getBytes(StandardCharsets.UTF_8));
    }
}
