package io.ferry.node.internal.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.security.Principal;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SaslSessionsTest {

    private static final Principal ALICE = Principal.user("alice");

    private final AtomicLong now = new AtomicLong(42);
    private final SaslSessions sessions = new SaslSessions(60_000, now::get);

    @Test
    void aTokenNamesItsPrincipalUntilItExpires() {
        SaslSessions.NewSession session = sessions.open(ALICE).orElseThrow();
        assertEquals(60_000, session.lifetimeMillis());
        assertEquals(SaslSessions.TOKEN_CHARS, session.token().length());

        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertEquals(Optional.of(ALICE), sessions.find(session.token()).principal());

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        SaslSessions.Lookup expired = sessions.find(session.token());
        assertEquals(Optional.empty(), expired.principal());
        assertEquals(Optional.of(SaslSessions.Refusal.EXPIRED_TOKEN), expired.refusal());
        assertEquals(Optional.of(ALICE), expired.expired());
        assertEquals(0, sessions.size(), "an expired session is dropped");
    }

    @Test
    void eachSessionHasItsOwnToken() {
        assertNotEquals(
                sessions.open(ALICE).orElseThrow().token(),
                sessions.open(ALICE).orElseThrow().token());
    }

    @Test
    void aMissingMalformedOrUnknownTokenNamesNoOneAndTheLogLearnsWhich() {
        sessions.open(ALICE);

        assertEquals(
                Optional.of(SaslSessions.Refusal.NO_TOKEN), sessions.find(null).refusal());
        assertEquals(
                Optional.of(SaslSessions.Refusal.NO_TOKEN), sessions.find("").refusal());
        assertEquals(
                Optional.of(SaslSessions.Refusal.MALFORMED_TOKEN),
                sessions.find("short").refusal());
        assertEquals(
                Optional.of(SaslSessions.Refusal.UNKNOWN_TOKEN),
                sessions.find("A".repeat(SaslSessions.TOKEN_CHARS)).refusal());
    }

    @Test
    void aUserAuthenticatingInALoopReplacesItsOwnOldestSessionsInsteadOfGrowingMemory() {
        String first = sessions.open(ALICE).orElseThrow().token();
        for (int i = 1; i < SaslSessions.MAX_SESSIONS_PER_USER; i++) {
            sessions.open(ALICE);
        }
        assertTrue(sessions.find(first).principal().isPresent());

        String latest = sessions.open(ALICE).orElseThrow().token();

        assertEquals(SaslSessions.MAX_SESSIONS_PER_USER, sessions.size());
        assertEquals(
                Optional.of(SaslSessions.Refusal.UNKNOWN_TOKEN),
                sessions.find(first).refusal());
        assertEquals(Optional.of(ALICE), sessions.find(latest).principal());
    }

    @Test
    void theNodeRefusesNewSessionsWhenFullUntilSomeExpire() {
        for (int i = 0; i < SaslSessions.MAX_SESSIONS; i++) {
            sessions.open(Principal.user("user-" + (i % 200)));
        }

        assertEquals(Optional.empty(), sessions.open(ALICE));

        now.addAndGet(TimeUnit.MINUTES.toNanos(1));
        assertTrue(sessions.open(ALICE).isPresent());
        assertEquals(1, sessions.size());
    }
}
