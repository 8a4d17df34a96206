package io.ferry.security.scram;

import java.util.List;

/**
 * RFC 5802's server-first-message: {@code r=<client nonce + server nonce>,s=<base64 salt>,i=<iterations>}.
 *
 * @param nonce the client's nonce with the server's appended
 * @param salt the user's salt (a fake one for an unknown user)
 * @param iterations the iteration count of the user's credential
 */
public record ServerFirstMessage(String nonce, byte[] salt, int iterations) {

    /** Reads a server-first message; extensions are refused. */
    public static ServerFirstMessage parse(String message) throws ScramException {
        List<String> parts = ScramAttributes.split(message, "server-first");
        if (parts.size() != 3) {
            throw new ScramException("the server-first message has " + parts.size() + " parts, not r=, s= and i=");
        }
        String nonce = ScramAttributes.nonce(ScramAttributes.value(parts.get(0), 'r', "server-first"), "server");
        byte[] salt = ScramAttributes.base64(ScramAttributes.value(parts.get(1), 's', "server-first"), "salt");
        String iterations = ScramAttributes.value(parts.get(2), 'i', "server-first");
        try {
            return new ServerFirstMessage(nonce, salt, Integer.parseInt(iterations));
        } catch (NumberFormatException e) {
            throw new ScramException("the server-first iteration count is not a number");
        }
    }

    /** The message as sent. */
    public String toMessage() {
        return "r=" + nonce + ",s=" + ScramAttributes.base64(salt) + ",i=" + iterations;
    }
}
