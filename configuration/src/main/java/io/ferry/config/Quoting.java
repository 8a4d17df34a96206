package io.ferry.config;

/**
 * How a value is shown back in an error. Values can come over the network (a topic's config in a
 * request), so what is quoted is bounded and printable.
 */
final class Quoting {

    /** Longest value quoted back in full. */
    static final int QUOTED_LENGTH = 64;

    private Quoting() {}

    /** {@code text} in single quotes, cut after {@value #QUOTED_LENGTH} characters, control characters as {@code ?}. */
    static String quoted(String text) {
        String shown = text.length() > QUOTED_LENGTH ? text.substring(0, QUOTED_LENGTH) + "..." : text;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
