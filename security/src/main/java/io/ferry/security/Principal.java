package io.ferry.security;

import java.util.Objects;

/**
 * Who made a request, as Kafka names it: a type and a name, written {@code type:name} ({@code User:alice}).
 * ACLs, {@code super.users} and quotas name principals this way; the listener that authenticated the
 * connection decides which principal its calls carry.
 *
 * @param type the principal type; {@code User} for every principal Ferry makes
 * @param name the user name, or the certificate subject as the mapping rules left it
 */
public record Principal(String type, String name) {

    /** The principal type of every authenticated caller and of {@link #ANONYMOUS}. */
    public static final String USER_TYPE = "User";

    /** The caller on a listener that authenticates no one (PLAINTEXT, or TLS without client certificates). */
    public static final Principal ANONYMOUS = new Principal(USER_TYPE, "ANONYMOUS");

    public Principal {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        if (type.isEmpty() || type.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a principal type is not empty and has no ':', was '" + type + "'");
        }
    }

    /** A {@code User} principal. */
    public static Principal user(String name) {
        return new Principal(USER_TYPE, name);
    }

    /**
     * Reads {@code type:name}; the name may itself contain ':' (a certificate subject may).
     *
     * @throws IllegalArgumentException naming the text, if it has no ':' or an empty type
     */
    public static Principal parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a principal is written type:name (User:alice), was '" + text + "'");
        }
        return new Principal(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return type + ":" + name;
    }
}
