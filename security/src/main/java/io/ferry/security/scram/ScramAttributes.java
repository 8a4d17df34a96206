package io.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The attribute syntax RFC 5802 section 5.1 writes messages in: {@code a=value} pairs joined by commas, the
 * {@code saslname} escaping of user names, printable nonces and base64 values. Shared by the four messages.
 */
final class ScramAttributes {

    /**
     * The longest message either side accepts, in UTF-8 bytes. A real one is a few hundred bytes; the bound
     * keeps a hostile peer from making the other parse or hold megabytes.
     */
    static final int MAX_MESSAGE_BYTES = 4096;

    private ScramAttributes() {}

    /** Splits a message into its comma-separated parts after checking its size. */
    static List<String> split(String message, String what) throws ScramException {
        if (message == null || message.isEmpty()) {
            throw new ScramException("the " + what + " message is empty");
        }
        if (message.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw new ScramException("the " + what + " message is longer than " + MAX_MESSAGE_BYTES + " bytes");
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int comma = message.indexOf(','); comma >= 0; comma = message.indexOf(',', start)) {
            parts.add(message.substring(start, comma));
            start = comma + 1;
        }
        parts.add(message.substring(start));
        return parts;
    }

    /** The value of {@code part}, which must be the attribute {@code name} ({@code r=...} for 'r'). */
    static String value(String part, char name, String what) throws ScramException {
        if (part.length() < 2 || part.charAt(0) != name || part.charAt(1) != '=') {
            throw new ScramException("the " + what + " message lacks its '" + name + "=' attribute where expected");
        }
        return part.substring(2);
    }

    /** Whether {@code part} is an attribute at all ({@code x=...}); RFC 5802 extensions are such parts. */
    static boolean isAttribute(String part) {
        return part.length() >= 2 && part.charAt(1) == '=' && Character.isLetter(part.charAt(0));
    }

    /** A nonce: one or more printable ASCII characters other than ','. */
    static String nonce(String value, String what) throws ScramException {
        if (value.isEmpty()) {
            throw new ScramException("the " + what + " nonce is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                throw new ScramException("the " + what + " nonce has a character that is not printable ASCII");
            }
        }
        return value;
    }

    /** Base64 bytes, not empty. */
    static byte[] base64(String value, String what) throws ScramException {
        try {
            byte[] bytes = Base64.getDecoder().decode(value);
            if (bytes.length == 0) {
                throw new ScramException("the " + what + " is empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new ScramException("the " + what + " is not base64");
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A user name from its saslname form: '=2C' is ',' and '=3D' is '='; any other '=' or a ',' is refused. */
    static String decodeSaslName(String saslName) throws ScramException {
        if (saslName.isEmpty()) {
            throw new ScramException("the user name is empty");
        }
        StringBuilder name = new StringBuilder(saslName.length());
        for (int i = 0; i < saslName.length(); i++) {
            char c = saslName.charAt(i);
            if (c == ',') {
                throw new ScramException("the user name has an unescaped ','");
            }
            if (c == '=') {
                if (saslName.startsWith("=2C", i)) {
                    name.append(',');
                } else if (saslName.startsWith("=3D", i)) {
                    name.append('=');
                } else {
                    throw new ScramException("the user name has an '=' that is not '=2C' or '=3D'");
                }
                i += 2;
            } else if (Character.isISOControl(c)) {
                throw new ScramException("the user name has a control character");
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    static String encodeSaslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }
}
