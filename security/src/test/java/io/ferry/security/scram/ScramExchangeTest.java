package io.ferry.security.scram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ScramExchangeTest {

    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;
    private static final ScramCredential ALICE =
            new ScramFunctions(SHA_512).credential("alice-secret", ScramFunctions.newSalt(), 4096);
    private static final Function<String, Optional<ScramCredential>> USERS =
            name -> Optional.ofNullable(Map.of("alice", ALICE, "a,b=c", ALICE).get(name));
    private static final UnknownUserCredentials UNKNOWN = UnknownUserCredentials.withRandomSecret();

    private final ScramServerExchange server = new ScramServerExchange(SHA_512, UNKNOWN);

    @Test
    void aClientWithTheRightPasswordAndTheServerProveThemselvesToEachOther() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");

        String serverFirst = server.receiveClientFirst(client.clientFirst(), USERS);
        String serverFinal = server.receiveClientFinal(client.receiveServerFirst(serverFirst));
        client.receiveServerFinal(serverFinal);

        assertTrue(server.isComplete());
        assertTrue(client.isComplete());
        assertEquals("alice", server.userName());
    }

    @Test
    void aUserNameWithCommaAndEqualsSurvivesSaslnameEscaping() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "a,b=c", "alice-secret");
        String clientFirst = client.clientFirst();
        assertTrue(clientFirst.startsWith("n,,n=a=2Cb=3Dc,r="), clientFirst);

        client.receiveServerFinal(
                server.receiveClientFinal(client.receiveServerFirst(server.receiveClientFirst(clientFirst, USERS))));

        assertEquals("a,b=c", server.userName());
    }

    @Test
    void aWrongPasswordFailsAtTheProof() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "guess");
        String clientFinal = client.receiveServerFirst(server.receiveClientFirst(client.clientFirst(), USERS));

        ScramException refusal = assertThrows(ScramException.class, () -> server.receiveClientFinal(clientFinal));
        assertTrue(refusal.getMessage().contains("proof does not verify"), refusal.getMessage());
        assertFalse(refusal.getMessage().contains("guess"));
        assertFalse(server.isComplete());
    }

    @Test
    void anUnknownUserLooksLikeAKnownOneUntilTheProof() throws ScramException {
        ServerFirstMessage known = ServerFirstMessage.parse(
                server.receiveClientFirst(new ScramClientExchange(SHA_512, "alice", "x").clientFirst(), USERS));
        ScramClientExchange mallory = new ScramClientExchange(SHA_512, "mallory", "x");
        ScramServerExchange unknownServer = new ScramServerExchange(SHA_512, UNKNOWN);
        ServerFirstMessage unknown =
                ServerFirstMessage.parse(unknownServer.receiveClientFirst(mallory.clientFirst(), USERS));

        assertEquals(known.salt().length, unknown.salt().length);
        assertEquals(known.iterations(), unknown.iterations());
        assertEquals(known.nonce().length(), unknown.nonce().length());
        String again = new ScramServerExchange(SHA_512, UNKNOWN)
                .receiveClientFirst(new ScramClientExchange(SHA_512, "mallory", "x").clientFirst(), USERS);
        assertEquals(
                Base64.getEncoder().encodeToString(unknown.salt()),
                Base64.getEncoder()
                        .encodeToString(ServerFirstMessage.parse(again).salt()),
                "an unknown user's salt is stable, as a real one is");
        String clientFinal = mallory.receiveServerFirst(unknown.toMessage());
        ScramException refusal =
                assertThrows(ScramException.class, () -> unknownServer.receiveClientFinal(clientFinal));
        assertTrue(refusal.getMessage().contains("has no SCRAM-SHA-512 credential"), refusal.getMessage());
    }

    @Test
    void aClientFinalWithAnotherNonceIsRefusedSoACapturedOneCannotBeReplayed() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        String clientFirst = client.clientFirst();
        String captured = client.receiveServerFirst(server.receiveClientFirst(clientFirst, USERS));
        server.receiveClientFinal(captured);

        ScramServerExchange replayed = new ScramServerExchange(SHA_512, UNKNOWN);
        replayed.receiveClientFirst(clientFirst, USERS);
        ScramException refusal = assertThrows(ScramException.class, () -> replayed.receiveClientFinal(captured));
        assertTrue(refusal.getMessage().contains("nonce"), refusal.getMessage());
    }

    @Test
    void aTamperedNonceIsRefused() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        String clientFinal = client.receiveServerFirst(server.receiveClientFirst(client.clientFirst(), USERS));
        String tampered = clientFinal.replace(",r=", ",r=X");

        assertThrows(ScramException.class, () -> server.receiveClientFinal(tampered));
    }

    @Test
    void aTamperedChannelBindingIsRefused() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        String clientFinal = client.receiveServerFirst(server.receiveClientFirst(client.clientFirst(), USERS));
        String tampered = clientFinal.replace("c=" + base64("n,,"), "c=" + base64("y,,"));
        assertNotEquals(clientFinal, tampered);

        ScramException refusal = assertThrows(ScramException.class, () -> server.receiveClientFinal(tampered));
        assertTrue(refusal.getMessage().contains("channel binding"), refusal.getMessage());
    }

    @Test
    void aClientRefusesAServerNonceThatDoesNotExtendItsOwn() {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        client.clientFirst();

        assertThrows(ScramException.class, () -> client.receiveServerFirst("r=abc,s=" + base64("salt") + ",i=4096"));
    }

    @Test
    void aClientRefusesIterationCountsOutsideTheMechanismsBounds() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        String nonce = ClientFirstMessage.parse(client.clientFirst()).clientNonce() + "server";

        assertThrows(
                ScramException.class,
                () -> client.receiveServerFirst("r=" + nonce + ",s=" + base64("salt") + ",i=1000000000"));
    }

    @Test
    void aClientRefusesAServerThatCannotSignWithTheUsersKey() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "alice-secret");
        client.receiveServerFirst(server.receiveClientFirst(client.clientFirst(), USERS));

        assertThrows(ScramException.class, () -> client.receiveServerFinal("v=" + base64("forged")));
    }

    @Test
    void messagesOutOfOrderEndTheExchange() throws ScramException {
        assertThrows(ScramException.class, () -> server.receiveClientFinal("c=biws,r=abc,p=" + base64("p")));

        ScramServerExchange fresh = new ScramServerExchange(SHA_512, UNKNOWN);
        String clientFirst = new ScramClientExchange(SHA_512, "alice", "alice-secret").clientFirst();
        fresh.receiveClientFirst(clientFirst, USERS);
        assertThrows(ScramException.class, () -> fresh.receiveClientFirst(clientFirst, USERS));
    }

    @Test
    void aFailedExchangeStaysFailed() throws ScramException {
        ScramClientExchange client = new ScramClientExchange(SHA_512, "alice", "guess");
        String clientFinal = client.receiveServerFirst(server.receiveClientFirst(client.clientFirst(), USERS));
        assertThrows(ScramException.class, () -> server.receiveClientFinal(clientFinal));

        assertThrows(ScramException.class, () -> server.receiveClientFinal(clientFinal));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
