package io.ferry.security.scram;

import java.util.List;

/**
 * RFC 5802's server-final-message: {@code v=<base64 ServerSignature>}, which proves to the client that the server
 * holds its credential, or {@code e=<error>}.
 *
 * @param serverSignature the signature, or null when the server reported an error
 * @param error the error value, or null on success
 */
public record ServerFinalMessage(byte[] serverSignature, String error) {

    /** A successful server-final message. */
    public static ServerFinalMessage verifier(byte[] serverSignature) {
        return new ServerFinalMessage(serverSignature, null);
    }

    /** Reads a server-final message. */
    public static ServerFinalMessage parse(String message) throws ScramException {
        List<String> parts = ScramAttributes.split(message, "server-final");
        if (parts.size() != 1) {
            throw new ScramException("the server-final message has " + parts.size() + " parts, not one");
        }
        String part = parts.get(0);
        if (part.startsWith("e=")) {
            return new ServerFinalMessage(null, part.substring(2));
        }
        return verifier(ScramAttributes.base64(ScramAttributes.value(part, 'v', "server-final"), "server signature"));
    }

    /** The message as sent. */
    public String toMessage() {
        return error != null ? "e=" + error : "v=" + ScramAttributes.base64(serverSignature);
    }
}
