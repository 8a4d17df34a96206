package io.ferry.security.scram;

import java.util.Arrays;
import java.util.Optional;

/**
 * A SCRAM mechanism (RFC 5802) by its SASL name, with the hash functions it is built on and the iteration
 * counts Kafka accepts for it. Ferry offers SCRAM-SHA-512 only: the issue asks for it, and a second mechanism
 * would double every credential without adding strength.
 */
public enum ScramMechanism {
    SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", "PBKDF2WithHmacSHA512", 512);

    /** Kafka's floor: fewer iterations make an offline guess at a stolen credential cheap. */
    public static final int MIN_ITERATIONS = 4096;
    /** Kafka's ceiling: more make every authentication a CPU burden that a client could ask for at will. */
    public static final int MAX_ITERATIONS = 16384;

    private final String mechanismName;
    private final String hashAlgorithm;
    private final String macAlgorithm;
    private final String keyDerivationAlgorithm;
    private final int keyBits;

    ScramMechanism(
            String mechanismName,
            String hashAlgorithm,
            String macAlgorithm,
            String keyDerivationAlgorithm,
            int keyBits) {
        this.mechanismName = mechanismName;
        this.hashAlgorithm = hashAlgorithm;
        this.macAlgorithm = macAlgorithm;
        this.keyDerivationAlgorithm = keyDerivationAlgorithm;
        this.keyBits = keyBits;
    }

    /** The mechanism's SASL name, as clients write it in {@code sasl.mechanism}. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The mechanism called {@code name} (its SASL name, case as written), if Ferry offers it. */
    public static Optional<ScramMechanism> forMechanismName(String name) {
        return Arrays.stream(values())
                .filter(mechanism -> mechanism.mechanismName.equals(name))
                .findFirst();
    }

    String hashAlgorithm() {
        return hashAlgorithm;
    }

    String macAlgorithm() {
        return macAlgorithm;
    }

    String keyDerivationAlgorithm() {
        return keyDerivationAlgorithm;
    }

    /** The length of the mechanism's keys and salted password (its hash's output), in bits. */
    public int keyBits() {
        return keyBits;
    }

    @Override
    public String toString() {
        return mechanismName;
    }
}
