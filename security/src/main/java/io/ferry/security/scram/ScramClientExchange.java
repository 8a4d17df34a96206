package io.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The client's side of one SCRAM exchange: client-first out; server-first in, client-final out; server-final in,
 * verified. The password never leaves this object: only a proof computed from it does. Not thread-safe.
 */
public final class ScramClientExchange {

    private enum State {
        INITIAL,
        AWAITING_SERVER_FIRST,
        AWAITING_SERVER_FINAL,
        COMPLETE,
        FAILED
    }

    private final ScramMechanism mechanism;
    private final ScramFunctions functions;
    private final String password;
    private final ClientFirstMessage clientFirst;
    private State state = State.INITIAL;
    private byte[] expectedServerSignature;

    public ScramClientExchange(ScramMechanism mechanism, String userName, String password) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.functions = new ScramFunctions(mechanism);
        this.password = Objects.requireNonNull(password, "password");
        this.clientFirst = new ClientFirstMessage(ClientFirstMessage.NO_CHANNEL_BINDING, userName, ScramNonces.next());
    }

    /** The client-first message, which opens the exchange. */
    public String clientFirst() {
        if (state != State.INITIAL) {
            throw new IllegalStateException("the client-first message was already sent");
        }
        state = State.AWAITING_SERVER_FIRST;
        return clientFirst.toMessage();
    }

    /** Reads the server-first message and answers with the client-final one, which carries the proof. */
    public String receiveServerFirst(String message) throws ScramException {
        expect(State.AWAITING_SERVER_FIRST);
        state = State.FAILED;
        ServerFirstMessage serverFirst = ServerFirstMessage.parse(message);
        if (!serverFirst.nonce().startsWith(clientFirst.clientNonce())
                || serverFirst.nonce().length() == clientFirst.clientNonce().length()) {
            throw new ScramException("the server's nonce does not extend the client's");
        }
        if (serverFirst.iterations() < ScramMechanism.MIN_ITERATIONS
                || serverFirst.iterations() > ScramMechanism.MAX_ITERATIONS) {
            throw new ScramException("the server asks for " + serverFirst.iterations() + " iterations, outside "
                    + ScramMechanism.MIN_ITERATIONS + "-" + ScramMechanism.MAX_ITERATIONS);
        }
        byte[] saltedPassword = functions.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
        byte[] clientKey = functions.clientKey(saltedPassword);
        ClientFinalMessage withoutProof = new ClientFinalMessage(
                clientFirst.gs2Header().getBytes(StandardCharsets.US_ASCII), serverFirst.nonce(), new byte[0]);
        byte[] authMessage = (clientFirst.bare() + "," + serverFirst.toMessage() + "," + withoutProof.withoutProof())
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = functions.hmac(functions.storedKey(clientKey), authMessage);
        expectedServerSignature = functions.hmac(functions.serverKey(saltedPassword), authMessage);
        state = State.AWAITING_SERVER_FINAL;
        return new ClientFinalMessage(
                        withoutProof.channelBinding(),
                        serverFirst.nonce(),
                        ScramFunctions.xor(clientKey, clientSignature))
                .toMessage();
    }

    /** Reads the server-final message and checks that the server proved it holds the user's credential. */
    public void receiveServerFinal(String message) throws ScramException {
        expect(State.AWAITING_SERVER_FINAL);
        state = State.FAILED;
        ServerFinalMessage serverFinal = ServerFinalMessage.parse(message);
        if (serverFinal.error() != null) {
            throw new ScramException("the server refused the " + mechanism + " exchange: " + serverFinal.error());
        }
        if (!MessageDigest.isEqual(serverFinal.serverSignature(), expectedServerSignature)) {
            throw new ScramException("the server's signature does not verify: it does not hold this user's credential");
        }
        state = State.COMPLETE;
    }

    /** Whether the server proved it holds the user's credential. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    private void expect(State expected) throws ScramException {
        if (state != expected) {
            throw new ScramException("a SCRAM message arrived while the exchange is " + state + ", not " + expected);
        }
    }
}
