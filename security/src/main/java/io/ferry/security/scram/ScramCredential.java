package io.ferry.security.scram;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a server keeps of a user's password (RFC 5802 section 3): the salt, the iteration count, and the two
 * keys derived from the salted password. Neither key lets anyone compute the password, and StoredKey alone does
 * not let anyone authenticate: a client must prove it knows ClientKey, whose hash StoredKey is. Immutable; the
 * arrays are copied in and out.
 */
public final class ScramCredential {

    private final ScramMechanism mechanism;
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;
    private final int iterations;

    /**
     * @throws IllegalArgumentException if the iterations are outside the mechanism's bounds or a byte string is
     *     empty
     */
    public ScramCredential(ScramMechanism mechanism, byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {
        this.mechanism = Objects.requireNonNull(mechanism, "mechanism");
        this.salt = nonEmptyCopy(salt, "salt");
        this.storedKey = nonEmptyCopy(storedKey, "stored key");
        this.serverKey = nonEmptyCopy(serverKey, "server key");
        if (iterations < ScramMechanism.MIN_ITERATIONS || iterations > ScramMechanism.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be between " + ScramMechanism.MIN_ITERATIONS + " and "
                    + ScramMechanism.MAX_ITERATIONS + ", not " + iterations);
        }
        this.iterations = iterations;
    }

    private static byte[] nonEmptyCopy(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("the " + what + " must not be empty");
        }
        return bytes.clone();
    }

    public ScramMechanism mechanism() {
        return mechanism;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    public int iterations() {
        return iterations;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramCredential that
                && mechanism == that.mechanism
                && iterations == that.iterations
                && Arrays.equals(salt, that.salt)
                && Arrays.equals(storedKey, that.storedKey)
                && Arrays.equals(serverKey, that.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mechanism, iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey));
    }

    /** Names the mechanism and iterations only: a credential's bytes never reach a log. */
    @Override
    public String toString() {
        return "ScramCredential[" + mechanism + ", iterations=" + iterations + "]";
    }
}
