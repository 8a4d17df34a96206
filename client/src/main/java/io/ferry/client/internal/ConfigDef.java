package io.ferry.client.internal;

import io.ferry.client.FerryConfigException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One definition per configuration key: its type, default, validation and documentation. Parsing
 * rejects unknown keys and malformed values with a {@link FerryConfigException} naming the key.
 * Immutable once built.
 */
public final class ConfigDef {

    /** The value types a key can have. */
    public enum Type { INT, LONG, STRING, HOST_LIST }

    /** Checks a parsed value; returns null when it is valid, else what is wrong. */
    @FunctionalInterface
    public interface Validator {
        String check(Object value);
    }

    /** Marks a key without a default: the caller must set it. */
    public static final Object NO_DEFAULT = new Object();

    private record Key(String name, Type type, Object defaultValue, Validator validator, String doc) {
    }

    private final Map<String, Key> keys = new LinkedHashMap<>();

    public ConfigDef define(String name, Type type, Object defaultValue, Validator validator, String doc) {
        keys.put(name, new Key(name, type, defaultValue, validator, doc));
        return this;
    }

    public ConfigDef define(String name, Type type, Object defaultValue, String doc) {
        return define(name, type, defaultValue, null, doc);
    }

    /** Parsed values for every defined key (defaults filled in). */
    public Map<String, Object> parse(Map<?, ?> props) {
        for (Object k : props.keySet()) {
            if (!keys.containsKey(String.valueOf(k))) {
                throw new FerryConfigException("unknown configuration key '" + k + "'; known keys: " + keys.keySet());
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key key : keys.values()) {
            Object raw = props.get(key.name);
            Object value;
            if (raw == null) {
                if (key.defaultValue == NO_DEFAULT) {
                    throw new FerryConfigException("missing required configuration key '" + key.name + "': " + key.doc);
                }
                value = key.defaultValue;
            } else {
                value = convert(key, raw);
            }
            if (key.validator != null) {
                String problem = key.validator.check(value);
                if (problem != null) {
                    throw new FerryConfigException("invalid value '" + raw + "' for configuration key '"
                            + key.name + "': " + problem);
                }
            }
            values.put(key.name, value);
        }
        return Collections.unmodifiableMap(values);
    }

    /** A Markdown table of every key: name, type, default, doc. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
        for (Key key : keys.values()) {
            sb.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(key.defaultValue == NO_DEFAULT ? "(required)" : key.defaultValue)
                    .append(" | ").append(key.doc).append(" |\n");
        }
        return sb.toString();
    }

    public static Validator atLeast(long min) {
        return v -> ((Number) v).longValue() >= min ? null : "must be at least " + min;
    }

    public static Validator oneOf(String... allowed) {
        List<String> list = List.of(allowed);
        return v -> list.contains(((String) v).toLowerCase(Locale.ROOT)) ? null : "must be one of " + list;
    }

    private static Object convert(Key key, Object raw) {
        String text = raw.toString().trim();
        try {
            return switch (key.type) {
                case INT -> raw instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(text);
                case LONG -> raw instanceof Number n ? n.longValue() : Long.parseLong(text);
                case STRING -> text;
                case HOST_LIST -> parseHosts(key.name, raw);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new FerryConfigException("invalid value '" + raw + "' for configuration key '" + key.name
                    + "': expected " + key.type.name().toLowerCase(Locale.ROOT));
        }
    }

    private static List<InetSocketAddress> parseHosts(String name, Object raw) {
        List<String> items = new ArrayList<>();
        if (raw instanceof List<?> list) {
            list.forEach(o -> items.add(String.valueOf(o)));
        } else {
            items.addAll(List.of(raw.toString().split(",")));
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String item : items) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            int colon = s.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535) {
                throw new FerryConfigException("invalid address '" + s + "' in configuration key '" + name
                        + "': expected host:port with a port in 1..65535");
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (out.isEmpty()) {
            throw new FerryConfigException("configuration key '" + name + "' lists no host:port");
        }
        return List.copyOf(out);
    }
}
