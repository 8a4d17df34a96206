package io.ferry.security.scram;

/**
 * A SCRAM exchange that cannot go on: a malformed message, a nonce or channel binding that does not match, or a
 * proof that does not verify. The message is for the operator's log (it may name the user and the cause) and
 * never holds a password, key or proof; a server tells its caller only that authentication failed.
 */
public final class ScramException extends Exception {

    private static final long serialVersionUID = 1L;

    public ScramException(String message) {
        super(message);
    }
}
