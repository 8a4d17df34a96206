package io.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server's side of one SCRAM exchange (RFC 5802 section 3): client-first in, server-first out; client-final
 * in, server-final out or a {@link ScramException}. Any failure ends the exchange. An unknown user gets a made-up
 * salt and iteration count ({@link UnknownUserCredentials}) and fails at the proof, like a wrong password.
 * Not thread-safe: one exchange belongs to one connection's stream, whose messages arrive in order.
 */
public final class ScramServerExchange {

    private enum State {
        AWAITING_CLIENT_FIRST,
        AWAITING_CLIENT_FINAL,
        COMPLETE,
        FAILED
    }

    private final ScramMechanism mechanism;
    private final ScramFunctions functions;
    private final UnknownUserCredentials unknownUsers;
    private State state = State.AWAITING_CLIENT_FIRST;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;
    private boolean userKnown;

    public ScramServerExchange(ScramMechanism mechanism, UnknownUserCredentials unknownUsers) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.functions = new ScramFunctions(mechanism);
        this.unknownUsers = Objects.requireNonNull(unknownUsers, "unknownUsers");
    }

    /**
     * Reads the client-first message and answers with the server-first one.
     *
     * @param credentials the stored credential of a user name, if the user exists
     */
    public String receiveClientFirst(String message, Function<String, Optional<ScramCredential>> credentials)
            throws ScramException {
        expect(State.AWAITING_CLIENT_FIRST);
        state = State.FAILED;
        clientFirst = ClientFirstMessage.parse(message);
        Optional<ScramCredential> stored =
                credentials.apply(clientFirst.userName()).filter(found -> found.mechanism() == mechanism);
        userKnown = stored.isPresent();
        credential = stored.orElseGet(() -> unknownUsers.credentialFor(mechanism, clientFirst.userName()));
        serverFirst = new ServerFirstMessage(
                clientFirst.clientNonce() + ScramNonces.next(), credential.salt(), credential.iterations());
        state = State.AWAITING_CLIENT_FINAL;
        return serverFirst.toMessage();
    }

    /**
     * Reads the client-final message, verifies the nonce, channel binding and proof, and answers with the
     * server-final message that proves this server holds the user's credential.
     */
    public String receiveClientFinal(String message) throws ScramException {
        expect(State.AWAITING_CLIENT_FINAL);
        state = State.FAILED;
        ClientFinalMessage clientFinal = ClientFinalMessage.parse(message);
        if (!MessageDigest.isEqual(
                clientFinal.channelBinding(), clientFirst.gs2Header().getBytes(StandardCharsets.US_ASCII))) {
            throw new ScramException("user '" + clientFirst.userName()
                    + "': the channel binding (c=) is not the gs2 header" + " of the client-first message");
        }
        if (!clientFinal.nonce().equals(serverFirst.nonce())) {
            throw new ScramException("user '" + clientFirst.userName() + "': the client-final nonce is not the one the"
                    + " server sent (a replayed or tampered message)");
        }
        byte[] authMessage = (clientFirst.bare() + "," + serverFirst.toMessage() + "," + clientFinal.withoutProof())
                .getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = credential.storedKey();
        byte[] clientSignature = functions.hmac(storedKey, authMessage);
        boolean proofVerifies = clientFinal.proof().length == clientSignature.length
                && MessageDigest.isEqual(
                        functions.hash(ScramFunctions.xor(clientFinal.proof(), clientSignature)), storedKey);
        if (!userKnown) {
            throw new ScramException("user '" + clientFirst.userName() + "' has no " + mechanism + " credential");
        }
        if (!proofVerifies) {
            throw new ScramException(
                    "user '" + clientFirst.userName() + "': the proof does not verify (wrong password)");
        }
        state = State.COMPLETE;
        return ServerFinalMessage.verifier(functions.hmac(credential.serverKey(), authMessage))
                .toMessage();
    }

    /** The user name the client gave, once its client-first message was read. */
    public String userName() {
        if (clientFirst == null) {
            throw new IllegalStateException("no client-first message was read");
        }
        return clientFirst.userName();
    }

    /** Whether the client proved it knows the user's password. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    private void expect(State expected) throws ScramException {
        if (state != expected) {
            throw new ScramException("a SCRAM message arrived while the exchange is " + state + ", not " + expected);
        }
    }
}
