package io.ferry.security.scram;

import java.util.List;

/**
 * RFC 5802's client-first-message: {@code gs2-header client-first-bare}, where the header is {@code n,,} (the
 * client supports no channel binding) or {@code y,,} (it does but thinks the server does not; Kafka accepts it
 * too), and the bare part is {@code n=<saslname>,r=<nonce>}. Channel binding ({@code p=}), an authorization
 * identity ({@code a=}), the reserved {@code m=} and extensions (Kafka's {@code tokenauth} included: Ferry has
 * no delegation tokens) are refused.
 *
 * @param gs2Header the header as the client sent it, which its client-final message must echo in {@code c=}
 * @param userName the user name, unescaped
 * @param clientNonce the client's nonce
 */
public record ClientFirstMessage(String gs2Header, String userName, String clientNonce) {

    /** The header of a client that does not support channel binding. */
    public static final String NO_CHANNEL_BINDING = "n,,";

    /** The longest user name accepted, in characters; Kafka's principals are short, and a name is logged. */
    public static final int MAX_USER_NAME_CHARS = 255;

    /** Reads a client-first message, checking every attribute. */
    public static ClientFirstMessage parse(String message) throws ScramException {
        List<String> parts = ScramAttributes.split(message, "client-first");
        if (parts.size() < 4) {
            throw new ScramException("the client-first message has " + parts.size()
                    + " comma-separated parts, not the gs2 header's two and n= and r=");
        }
        String flag = parts.get(0);
        if (flag.startsWith("p=")) {
            throw new ScramException("the client asks for channel binding (p=), which Ferry does not offer");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw new ScramException("the gs2 channel-binding flag is not 'n' or 'y'");
        }
        if (!parts.get(1).isEmpty()) {
            throw new ScramException("the client names an authorization identity (a=), which Ferry does not accept");
        }
        if (parts.get(2).startsWith("m=")) {
            throw new ScramException("the client-first message has the reserved m= attribute");
        }
        String userName = ScramAttributes.decodeSaslName(ScramAttributes.value(parts.get(2), 'n', "client-first"));
        if (userName.length() > MAX_USER_NAME_CHARS) {
            throw new ScramException("the user name is longer than " + MAX_USER_NAME_CHARS + " characters");
        }
        String nonce = ScramAttributes.nonce(ScramAttributes.value(parts.get(3), 'r', "client-first"), "client");
        if (parts.size() > 4) {
            throw new ScramException(extensionRefusal(parts.get(4)));
        }
        return new ClientFirstMessage(flag + ",,", userName, nonce);
    }

    private static String extensionRefusal(String extension) {
        if (extension.startsWith("tokenauth=")) {
            return "the client asks for delegation-token authentication (tokenauth), which Ferry does not support";
        }
        return ScramAttributes.isAttribute(extension)
                ? "the client-first message has an extension '" + extension.charAt(0) + "', which Ferry does not accept"
                : "the client-first message has an extra part after r=";
    }

    /** The message without its gs2 header, which the proof signs. */
    public String bare() {
        return "n=" + ScramAttributes.encodeSaslName(userName) + ",r=" + clientNonce;
    }

    /** The message as sent. */
    public String toMessage() {
        return gs2Header + bare();
    }
}
