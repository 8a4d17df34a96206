package io.ferry.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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

    /** A number in {@code [0, 1]}: a share of something, such as the dirty part of a log. */
    public static Validator<Double> fraction() {
        return fraction(true);
    }

    /** A number in {@code (0, 1]}: a share of something that must not be nothing, such as how full a map may get. */
    public static Validator<Double> positiveFraction() {
        return fraction(false);
    }

    private static Validator<Double> fraction(boolean zeroAllowed) {
        return new Validator<>() {
            @Override
            public Optional<String> problem(Double value) {
                boolean ok = (zeroAllowed ? value >= 0 : value > 0) && value <= 1;
                return ok ? Optional.empty() : Optional.of("expected a value in " + describe() + ", got " + value);
            }

            @Override
            public String describe() {
                return (zeroAllowed ? "[" : "(") + "0, 1]";
            }
        };
    }

    /**
     * A topic's {@code cleanup.policy}, as Kafka accepts it: {@code delete}, {@code compact} or both,
     * separated by a comma in either order; each word trimmed and in any case (storage's
     * {@code CleanupPolicy.parse} reads the value by the same rule, and a broker-node test checks that
     * the two agree).
     */
    public static Validator<String> cleanupPolicy() {
        return new Validator<>() {
            @Override
            public Optional<String> problem(String value) {
                for (String word : value.split(",", -1)) {
                    String policy = word.trim().toLowerCase(Locale.ROOT);
                    if (!policy.equals("delete") && !policy.equals("compact")) {
                        return Optional.of("expected " + describe() + ", got " + Quoting.quoted(value));
                    }
                }
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "delete, compact or compact,delete (words in any order and case)";
            }
        };
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
     * One of {@code choices}, exactly; {@code refused}, a value a reader may expect to work (a Kafka value Ferry
     * does not offer), is answered with {@code why} instead of the list.
     */
    public static Validator<String> oneOfRefusing(String refused, String why, String... choices) {
        Validator<String> oneOf = oneOf(choices);
        return new Validator<>() {
            @Override
            public Optional<String> problem(String value) {
                return value.equals(refused) ? Optional.of(refused + " is not offered: " + why) : oneOf.problem(value);
            }

            @Override
            public String describe() {
                return oneOf.describe();
            }
        };
    }

    /** Empty (the feature is off) or exactly {@code value}, the one accepted setting. */
    public static Validator<String> emptyOr(String value) {
        return new Validator<>() {
            @Override
            public Optional<String> problem(String given) {
                return given.isEmpty() || given.equals(value)
                        ? Optional.empty()
                        : Optional.of("expected empty or " + value + ", got " + Quoting.quoted(given));
            }

            @Override
            public String describe() {
                return "empty or " + value;
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
