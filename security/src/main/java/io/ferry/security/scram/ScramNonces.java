package io.ferry.security.scram;

import java.security.SecureRandom;

/** Fresh nonces for either side: 32 random bytes in base64, printable and free of ','. */
final class ScramNonces {

    private static final int NONCE_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramNonces() {}

    static String next() {
        byte[] bytes = new byte[NONCE_BYTES];
        RANDOM.nextBytes(bytes);
        return ScramAttributes.base64(bytes);
    }
}
