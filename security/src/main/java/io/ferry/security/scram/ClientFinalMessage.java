package io.ferry.security.scram;

import java.util.List;

/**
 * RFC 5802's client-final-message: {@code c=<base64 gs2 header>,r=<nonce>,p=<base64 proof>}. Extensions are
 * refused.
 *
 * @param channelBinding the decoded {@code c=} value, which must equal the client-first gs2 header
 * @param nonce the combined nonce, which must equal the server-first one
 * @param proof the ClientProof
 */
public record ClientFinalMessage(byte[] channelBinding, String nonce, byte[] proof) {

    /** Reads a client-final message. */
    public static ClientFinalMessage parse(String message) throws ScramException {
        List<String> parts = ScramAttributes.split(message, "client-final");
        if (parts.size() != 3) {
            throw new ScramException("the client-final message has " + parts.size() + " parts, not c=, r= and p=");
        }
        byte[] binding =
                ScramAttributes.base64(ScramAttributes.value(parts.get(0), 'c', "client-final"), "channel binding");
        String nonce = ScramAttributes.nonce(ScramAttributes.value(parts.get(1), 'r', "client-final"), "client-final");
        byte[] proof = ScramAttributes.base64(ScramAttributes.value(parts.get(2), 'p', "client-final"), "proof");
        return new ClientFinalMessage(binding, nonce, proof);
    }

    /** The message up to the proof, which the proof signs. */
    public String withoutProof() {
        return "c=" + ScramAttributes.base64(channelBinding) + ",r=" + nonce;
    }

    /** The message as sent. */
    public String toMessage() {
        return withoutProof() + ",p=" + ScramAttributes.base64(proof);
    }
}
