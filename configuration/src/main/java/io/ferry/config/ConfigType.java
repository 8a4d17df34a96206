package io.ferry.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How a value's text is parsed and rendered back, and what the reference calls the type.
 * Parsing is strict: surrounding whitespace is trimmed, anything else unexpected is an error
 * (no silent truncation, no "yes"/"1" for booleans). Immutable and thread-safe.
 *
 * @param <T> the Java type of a parsed value
 */
public final class ConfigType<T> {

    @FunctionalInterface
    interface Parser<T> {
        T parse(String trimmed) throws InvalidValueException;
    }

    /** A signed 32-bit integer. */
    public static final ConfigType<Integer> INT = new ConfigType<>(
            "int",
            s -> (int) parseLong(s, Integer.MIN_VALUE, Integer.MAX_VALUE, "an integer (32-bit)"),
            String::valueOf);

    /** A signed 64-bit integer. */
    public static final ConfigType<Long> LONG = new ConfigType<>(
            "long", s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE, "an integer (64-bit)"), String::valueOf);

    /**
     * A finite decimal number (64-bit floating point), as Kafka's {@code DOUBLE} keys: digits with an
     * optional fraction and exponent ({@code 0.5}, {@code 1}, {@code 1.5E7}); not {@code NaN}, not
     * {@code Infinity}, no hexadecimal and no {@code d}/{@code f} suffix, which {@link Double#parseDouble}
     * would take.
     */
    public static final ConfigType<Double> DOUBLE =
            new ConfigType<>("double", ConfigType::parseDouble, String::valueOf);

    /** {@code true} or {@code false}, case-insensitive. */
    public static final ConfigType<Boolean> BOOLEAN =
            new ConfigType<>("boolean", ConfigType::parseBoolean, String::valueOf);

    /** Any text, trimmed. */
    public static final ConfigType<String> STRING = new ConfigType<>("string", s -> s, s -> s);

    /** Comma-separated items, each trimmed; an empty value is an empty list, an empty item an error. */
    public static final ConfigType<List<String>> LIST =
            new ConfigType<>("list", ConfigType::parseList, l -> String.join(",", l));

    /** A duration as a whole number of milliseconds (64-bit), as Kafka's {@code *.ms} keys. */
    public static final ConfigType<Long> DURATION_MS = new ConfigType<>(
            "duration (ms)",
            s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE, "a whole number of milliseconds"),
            String::valueOf);

    /** A size as a whole number of bytes (64-bit), as Kafka's {@code *.bytes} keys. */
    public static final ConfigType<Long> SIZE_BYTES = new ConfigType<>(
            "size (bytes)",
            s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE, "a whole number of bytes"),
            String::valueOf);

    /** {@code host:port}; see {@link HostPort}. */
    public static final ConfigType<HostPort> HOST_PORT =
            new ConfigType<>("host:port", HostPort::parse, HostPort::toString);

    /** {@code host:port}, or empty for none. */
    public static final ConfigType<Optional<HostPort>> OPTIONAL_HOST_PORT = new ConfigType<>(
            "host:port or empty",
            s -> s.isEmpty() ? Optional.empty() : Optional.of(HostPort.parse(s)),
            v -> v.map(HostPort::toString).orElse(""));

    /** A Kafka listener as Kafka's {@code listeners} key writes one (see {@link ListenerAddress}), or empty. */
    public static final ConfigType<Optional<ListenerAddress>> OPTIONAL_LISTENER = new ConfigType<>(
            "PROTOCOL://host:port or empty",
            s -> s.isEmpty() ? Optional.empty() : Optional.of(ListenerAddress.parse(s)),
            v -> v.map(ListenerAddress::toString).orElse(""));

    /** Comma-separated {@code id@host:port} entries with distinct ids; see {@link QuorumVoter}. */
    public static final ConfigType<List<QuorumVoter>> QUORUM_VOTERS = new ConfigType<>(
            "list of id@host:port",
            ConfigType::parseVoters,
            l -> String.join(",", l.stream().map(QuorumVoter::toString).toList()));

    /** Comma-separated {@code host:port} entries; an empty value is an empty list. */
    public static final ConfigType<List<HostPort>> HOST_PORT_LIST = new ConfigType<>(
            "list of host:port",
            ConfigType::parseHostPorts,
            l -> String.join(",", l.stream().map(HostPort::toString).toList()));

    /** What {@link #DOUBLE} accepts: decimal digits, an optional fraction, an optional exponent. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private final String name;
    private final Parser<T> parser;
    private final Function<T, String> formatter;

    private ConfigType(String name, Parser<T> parser, Function<T, String> formatter) {
        this.name = name;
        this.parser = parser;
        this.formatter = formatter;
    }

    /** The type's name in the generated reference. */
    public String name() {
        return name;
    }

    T parse(String text) throws InvalidValueException {
        return parser.parse(text.trim());
    }

    /** Renders a value so that {@link #parse} would read it back unchanged. */
    public String format(T value) {
        return formatter.apply(value);
    }

    @Override
    public String toString() {
        return name;
    }

    private static long parseLong(String s, long min, long max, String what) throws InvalidValueException {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InvalidValueException("expected " + what + ", got " + Quoting.quoted(s));
        }
        if (v < min || v > max) {
            throw new InvalidValueException("expected " + what + ", got " + Quoting.quoted(s) + " (out of range)");
        }
        return v;
    }

    private static Double parseDouble(String s) throws InvalidValueException {
        if (!DECIMAL.matcher(s).matches()) {
            throw new InvalidValueException("expected a decimal number, got " + Quoting.quoted(s));
        }
        double v = Double.parseDouble(s);
        if (Double.isInfinite(v)) {
            throw new InvalidValueException("expected a decimal number, got " + Quoting.quoted(s) + " (out of range)");
        }
        return v;
    }

    private static Boolean parseBoolean(String s) throws InvalidValueException {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return Boolean.TRUE;
        }
        if (lower.equals("false")) {
            return Boolean.FALSE;
        }
        throw new InvalidValueException("expected true or false, got " + Quoting.quoted(s));
    }

    private static List<HostPort> parseHostPorts(String s) throws InvalidValueException {
        List<HostPort> result = new ArrayList<>();
        for (String item : parseList(s)) {
            result.add(HostPort.parse(item));
        }
        return List.copyOf(result);
    }

    private static List<String> parseList(String s) throws InvalidValueException {
        if (s.isEmpty()) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (String item : s.split(",", -1)) {
            String trimmed = item.trim();
            if (trimmed.isEmpty()) {
                throw new InvalidValueException(
                        "expected a comma-separated list without empty items, got " + Quoting.quoted(s));
            }
            items.add(trimmed);
        }
        return List.copyOf(items);
    }

    private static List<QuorumVoter> parseVoters(String s) throws InvalidValueException {
        List<QuorumVoter> voters = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (String item : parseList(s)) {
            QuorumVoter voter = QuorumVoter.parse(item);
            if (!ids.add(voter.nodeId())) {
                throw new InvalidValueException("expected distinct voter ids, got id " + voter.nodeId() + " twice");
            }
            voters.add(voter);
        }
        return List.copyOf(voters);
    }
}
