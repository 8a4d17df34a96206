package io.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Credentials for users that do not exist, so that a server's first answer does not tell a caller which users
 * do: the salt and keys are HMACs of the user name under a secret only this server knows, so the same unknown
 * name always gets the same salt (as a real user would), and the iteration count is the one real credentials
 * get by default. The exchange then fails at the proof, exactly where a wrong password fails. Thread-safe.
 */
public final class UnknownUserCredentials {

    /** Kafka's default iteration count for a new credential; most real credentials have it. */
    static final int ITERATIONS = ScramMechanism.MIN_ITERATIONS;

    private static final int MIN_SECRET_BYTES = 32;

    private final byte[] secret;

    /** @param secret at least 32 bytes only this server knows */
    public UnknownUserCredentials(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "the secret has " + secret.length + " bytes, fewer than " + MIN_SECRET_BYTES);
        }
        this.secret = secret.clone();
    }

    /**
     * Credentials under a secret drawn now. An unknown user's salt then changes when the server restarts, which a
     * patient caller could notice; a secret shared by the cluster would hide even that.
     */
    public static UnknownUserCredentials withRandomSecret() {
        byte[] secret = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        return new UnknownUserCredentials(secret);
    }

    /** The made-up credential for {@code userName}; it verifies no proof a client can compute. */
    public ScramCredential credentialFor(ScramMechanism mechanism, String userName) {
        ScramFunctions functions = new ScramFunctions(mechanism);
        return new ScramCredential(
                mechanism,
                derive(functions, "salt", mechanism, userName),
                derive(functions, "stored-key", mechanism, userName),
                derive(functions, "server-key", mechanism, userName),
                ITERATIONS);
    }

    private byte[] derive(ScramFunctions functions, String purpose, ScramMechanism mechanism, String userName) {
        return functions.hmac(secret, (purpose + '\0' + mechanism + '\0' + userName).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "UnknownUserCredentials[secret hidden]";
    }
}
