package io.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 5802's functions for one mechanism: Hi (PBKDF2 with the mechanism's HMAC), HMAC, H and the keys derived
 * from a salted password, on the JDK's own implementations. Kafka's ScramFormatter computes the same values, so
 * a credential made by either verifies the other's clients. Stateless and thread-safe.
 */
public final class ScramFunctions {

    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);
    /** RFC 5802 asks for a salt of at least the hash's length in spirit; Kafka's admin client uses 64 bytes. */
    private static final int SALT_BYTES = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramMechanism mechanism;

    public ScramFunctions(ScramMechanism mechanism) {
        this.mechanism = mechanism;
    }

    /** A new random salt, for a credential made from a password. */
    public static byte[] newSalt() {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return salt;
    }

    /** The credential a server stores for {@code password}: what {@code ferry user add} sends to the controller. */
    public ScramCredential credential(String password, byte[] salt, int iterations) {
        return credentialFromSaltedPassword(salt, saltedPassword(password, salt, iterations), iterations);
    }

    /**
     * The credential for a salted password, as Kafka's controller computes it from an AlterUserScramCredentials
     * request (which carries the salted password, never the password).
     */
    public ScramCredential credentialFromSaltedPassword(byte[] salt, byte[] saltedPassword, int iterations) {
        return new ScramCredential(
                mechanism, salt, storedKey(clientKey(saltedPassword)), serverKey(saltedPassword), iterations);
    }

    /** Hi(Normalize(password), salt, i): the password as UTF-8, stretched by PBKDF2. */
    public byte[] saltedPassword(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, mechanism.keyBits());
        try {
            return SecretKeyFactory.getInstance(mechanism.keyDerivationAlgorithm())
                    .generateSecret(spec)
                    .getEncoded();
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("cannot derive a key from this password and salt", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.keyDerivationAlgorithm(), e);
        } finally {
            spec.clearPassword();
        }
    }

    public byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, CLIENT_KEY);
    }

    public byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, SERVER_KEY);
    }

    /** StoredKey := H(ClientKey). */
    public byte[] storedKey(byte[] clientKey) {
        return hash(clientKey);
    }

    public byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(mechanism.macAlgorithm());
            mac.init(new SecretKeySpec(key, mechanism.macAlgorithm()));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.macAlgorithm(), e);
        }
    }

    public byte[] hash(byte[] message) {
        try {
            return MessageDigest.getInstance(mechanism.hashAlgorithm()).digest(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.hashAlgorithm(), e);
        }
    }

    /** The bytes of {@code a} XOR {@code b}, which must be as long as each other. */
    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cannot XOR " + a.length + " bytes with " + b.length);
        }
        byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = (byte) (a[i] ^ b[i]);
        }
        return result;
    }
}
