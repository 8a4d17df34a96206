package io.ferry.config;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The validators the declared keys use. */
public final class Validators {

    private Validators() {}

    /** Accepts every value. */
    public static <T> Validator<T> any() {
        return new Validator<>() {
            @Override
            public Optional<String> problem(T value) {
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "";
            }
        };
    }

    /** A number in {@code [min, max]}, inclusive; {@code max} is {@link Long#MAX_VALUE} for "no upper bound". */
    public static <T extends Number> Validator<T> between(long min, long max) {
        return new Validator<>() {
            @Override
            public Optional<String> problem(T value) {
                long v = value.longValue();
                return v < min || v > max
                        ? Optional.of("expected a value in " + describe() + ", got " + v)
                        : Optional.empty();
            }

            @Override
            public String describe() {
                return "[" + min + ", " + (max == Long.MAX_VALUE ? "..." : String.valueOf(max)) + "]";
            }
        };
    }

    /** A number at least {@code min}. */
    public static <T extends Number> Validator<T> atLeast(long min) {
        return between(min, Long.MAX_VALUE);
    }

    /** One of {@code choices}, exactly (case-sensitive, as Kafka's enumerated values). */
    public static Validator<String> oneOf(String... choices) {
        List<String> allowed = List.of(choices);
        return new Validator<>() {
            @Override
            public Optional<String> problem(String value) {
                return allowed.contains(value)
                        ? Optional.empty()
                        : Optional.of(
                                "expected one of " + String.join(", ", allowed) + ", got " + Quoting.quoted(value));
            }

            @Override
            public String describe() {
                return "one of " + String.join(", ", allowed);
            }
        };
    }

    /**
     * One of {@code choices}, in any case (as Kafka's {@code CaseInsensitiveValidString}); the reader of
     * the value compares it ignoring case too.
     */
    public static Validator<String> oneOfIgnoringCase(String... choices) {
        List<String> allowed = List.of(choices);
        return new Validator<>() {
            @Override
            public Optional<String> problem(String value) {
                return allowed.stream().anyMatch(value::equalsIgnoreCase)
                        ? Optional.empty()
                        : Optional.of("expected one of " + String.join(", ", allowed) + " (in any case), got "
                                + Quoting.quoted(value));
            }

            @Override
            public String describe() {
                return "one of " + String.join(", ", allowed) + " (in any case)";
            }
        };
    }

    /** A list with at least one item. */
    public static <E> Validator<List<E>> nonEmptyList() {
        return new Validator<>() {
            @Override
            public Optional<String> problem(List<E> value) {
                return value.isEmpty() ? Optional.of("expected at least one item") : Optional.empty();
            }

            @Override
            public String describe() {
                return "non-empty list";
            }
        };
    }

    /** At least one address, none with port 0: addresses something connects to, not ones it binds. */
    public static Validator<List<HostPort>> nonEmptyConnectable() {
        return new Validator<>() {
            @Override
            public Optional<String> problem(List<HostPort> value) {
                if (value.isEmpty()) {
                    return Optional.of("expected at least one host:port");
                }
                return value.stream()
                        .filter(address -> address.port() == 0)
                        .findFirst()
                        .map(address ->
                                "expected a port in 1-65535 to connect to, got " + Quoting.quoted(address.toString()));
            }

            @Override
            public String describe() {
                return "non-empty list, ports 1-65535";
            }
        };
    }

    /** A non-empty list of distinct items, each one of {@code choices}. */
    public static Validator<List<String>> nonEmptySubsetOf(String... choices) {
        List<String> allowed = List.of(choices);
        return new Validator<>() {
            @Override
            public Optional<String> problem(List<String> value) {
                if (value.isEmpty()) {
                    return Optional.of("expected at least one of " + allowed);
                }
                Set<String> seen = new HashSet<>();
                for (String item : value) {
                    if (!allowed.contains(item)) {
                        return Optional.of("expected items from " + allowed + ", got " + Quoting.quoted(item));
                    }
                    if (!seen.add(item)) {
                        return Optional.of("expected distinct items, got " + Quoting.quoted(item) + " twice");
                    }
                }
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "non-empty subset of " + String.join(", ", allowed);
            }
        };
    }
}
