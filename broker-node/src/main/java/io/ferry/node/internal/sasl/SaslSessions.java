package io.ferry.node.internal.sasl;

import io.ferry.security.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The sessions clients got by authenticating on a {@code SASL_SSL} listener: a random token for each, valid for
 * {@code connections.max.reauth.ms}, that names the authenticated principal. Only each token's SHA-256 is kept,
 * so a heap dump does not hand out sessions, and a lookup compares hashes (no timing tells how much of a guessed
 * token was right).
 *
 * <p>Bounded: a client that authenticates in a loop replaces its own user's oldest session once the user holds
 * {@link #MAX_SESSIONS_PER_USER}, and once the node holds {@link #MAX_SESSIONS} live sessions new ones are
 * refused until some expire. Thread-safe (one lock; every operation is a few map updates).
 */
public final class SaslSessions {

    /**
     * Sessions one user may hold at once: a client authenticates once per broker channel, and a few hundred
     * clients under one user name is already unusual; more means one is authenticating in a loop.
     */
    static final int MAX_SESSIONS_PER_USER = 1_000;

    /** Sessions the node holds at once: at about 300 bytes each, 30 MB at most. */
    static final int MAX_SESSIONS = 100_000;

    private static final int TOKEN_BYTES = 32;
    /** The length of a token written in unpadded base64url. */
    static final int TOKEN_CHARS = (TOKEN_BYTES * 8 + 5) / 6;

    /** Why a token names no principal; for the operator's log only. */
    public enum Refusal {
        NO_TOKEN,
        MALFORMED_TOKEN,
        UNKNOWN_TOKEN,
        EXPIRED_TOKEN
    }

    /** A session: its principal and when it ends (monotonic nanoseconds). */
    private record Session(Principal principal, long expiresAtNanos) {}

    /**
     * A lookup's answer: the principal and when its session ends (monotonic nanoseconds), or why there is none
     * (and whose the expired session was).
     */
    public record Lookup(
            Optional<Principal> principal, long endsAtNanos, Optional<Refusal> refusal, Optional<Principal> expired) {}

    /** A new session's token and how long it lasts. */
    public record NewSession(String token, long lifetimeMillis) {}

    private final long lifetimeNanos;
    private final LongSupplier nanoTime;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> byTokenHash = new HashMap<>();
    /** Each user's token hashes, oldest first. */
    private final Map<String, Deque<String>> byUser = new HashMap<>();

    /**
     * @param lifetimeMillis how long a session lasts ({@code connections.max.reauth.ms})
     * @param nanoTime monotonic nanoseconds ({@code System::nanoTime})
     */
    public SaslSessions(long lifetimeMillis, LongSupplier nanoTime) {
        this.lifetimeNanos = lifetimeMillis * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    /**
     * A new session for {@code principal}, or empty when the node holds {@link #MAX_SESSIONS} live sessions.
     */
    public synchronized Optional<NewSession> open(Principal principal) {
        long now = nanoTime.getAsLong();
        if (byTokenHash.size() >= MAX_SESSIONS) {
            dropExpired(now);
            if (byTokenHash.size() >= MAX_SESSIONS) {
                return Optional.empty();
            }
        }
        Deque<String> ofUser = byUser.computeIfAbsent(principal.name(), user -> new ArrayDeque<>());
        while (ofUser.size() >= MAX_SESSIONS_PER_USER) {
            byTokenHash.remove(ofUser.removeFirst());
        }
        byte[] token = new byte[TOKEN_BYTES];
        random.nextBytes(token);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        String hash = hash(text);
        byTokenHash.put(hash, new Session(principal, now + lifetimeNanos));
        ofUser.addLast(hash);
        return Optional.of(new NewSession(text, lifetimeNanos / 1_000_000L));
    }

    /** The principal of the session {@code token} (as the client sent it, or null) opened, if it is live. */
    public synchronized Lookup find(String token) {
        if (token == null || token.isEmpty()) {
            return refused(Refusal.NO_TOKEN);
        }
        if (token.length() != TOKEN_CHARS) {
            return refused(Refusal.MALFORMED_TOKEN);
        }
        String hash = hash(token);
        Session session = byTokenHash.get(hash);
        if (session == null) {
            return refused(Refusal.UNKNOWN_TOKEN);
        }
        if (nanoTime.getAsLong() - session.expiresAtNanos() >= 0) {
            remove(hash, session);
            return new Lookup(
                    Optional.empty(), 0, Optional.of(Refusal.EXPIRED_TOKEN), Optional.of(session.principal()));
        }
        return new Lookup(
                Optional.of(session.principal()), session.expiresAtNanos(), Optional.empty(), Optional.empty());
    }

    /** Whether a session that ends at {@code endsAtNanos} ({@link Lookup#endsAtNanos}) has ended. */
    public boolean hasEnded(long endsAtNanos) {
        return nanoTime.getAsLong() - endsAtNanos >= 0;
    }

    /** The sessions held, live or expired and not yet dropped. */
    public synchronized int size() {
        return byTokenHash.size();
    }

    private static Lookup refused(Refusal refusal) {
        return new Lookup(Optional.empty(), 0, Optional.of(refusal), Optional.empty());
    }

    private void dropExpired(long now) {
        for (Iterator<Map.Entry<String, Session>> it = byTokenHash.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Session> entry = it.next();
            if (now - entry.getValue().expiresAtNanos() >= 0) {
                it.remove();
                forgetUserToken(entry.getValue().principal(), entry.getKey());
            }
        }
    }

    private void remove(String hash, Session session) {
        byTokenHash.remove(hash);
        forgetUserToken(session.principal(), hash);
    }

    private void forgetUserToken(Principal principal, String hash) {
        Deque<String> ofUser = byUser.get(principal.name());
        if (ofUser != null) {
            ofUser.remove(hash);
            if (ofUser.isEmpty()) {
                byUser.remove(principal.name());
            }
        }
    }

    private static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
