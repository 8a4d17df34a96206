package io.ferry.security.scram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScramFunctionsTest {

    private static final ScramFunctions SCRAM = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
    private static final byte[] SALT = "salt".getBytes(StandardCharsets.US_ASCII);

    @Test
    void hiIsPbkdf2WithHmacSha512AsPublishedTestVectorsGiveIt() {
        assertEquals(
                "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
                        + "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
                HexFormat.of().formatHex(SCRAM.saltedPassword("password", SALT, 1)));
        assertEquals(
                "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5"
                        + "143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5",
                HexFormat.of().formatHex(SCRAM.saltedPassword("password", SALT, 4096)));
    }

    @Test
    void hiEqualsRfc5802sDefinitionByRepeatedHmac() {
        // Hi(str, salt, i): U1 := HMAC(str, salt + INT(1)), Ui := HMAC(str, Ui-1), Hi := U1 XOR ... XOR Ui
        byte[] password = "pencil ü".getBytes(StandardCharsets.UTF_8);
        byte[] u = SCRAM.hmac(password, new byte[] {'s', 'a', 'l', 't', 0, 0, 0, 1});
        byte[] hi = u;
        for (int i = 2; i <= 4096; i++) {
            u = SCRAM.hmac(password, u);
            hi = ScramFunctions.xor(hi, u);
        }
        assertArrayEquals(hi, SCRAM.saltedPassword("pencil ü", SALT, 4096));
    }

    @Test
    void theStoredKeyIsTheHashOfTheClientKeyAndBothKeysDependOnTheSaltedPassword() {
        ScramCredential credential = SCRAM.credential("alice-secret", SALT, 4096);
        byte[] saltedPassword = SCRAM.saltedPassword("alice-secret", SALT, 4096);

        assertArrayEquals(SCRAM.hash(SCRAM.clientKey(saltedPassword)), credential.storedKey());
        assertArrayEquals(SCRAM.serverKey(saltedPassword), credential.serverKey());
        assertFalse(Arrays.equals(credential.storedKey(), credential.serverKey()));
        assertEquals(credential, SCRAM.credentialFromSaltedPassword(SALT, saltedPassword, 4096));
        assertNotEquals(credential, SCRAM.credential("alice-secreT", SALT, 4096));
    }

    @Test
    void aCredentialRefusesIterationsOutsideKafkasBoundsAndNeverPrintsItsBytes() {
        byte[] key = new byte[64];
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new ScramCredential(ScramMechanism.SCRAM_SHA_512, SALT, key, key, 4095))
                .getMessage()
                .contains("iterations must be between 4096 and 16384, not 4095"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new ScramCredential(ScramMechanism.SCRAM_SHA_512, SALT, key, key, 16385))
                .getMessage()
                .contains("not 16385"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> new ScramCredential(ScramMechanism.SCRAM_SHA_512, new byte[0], key, key, 4096))
                .getMessage()
                .contains("salt must not be empty"));
        assertEquals(
                "ScramCredential[SCRAM-SHA-512, iterations=8192]",
                SCRAM.credential("x", SALT, 8192).toString());
    }

    @Test
    void mechanismsAreFoundByTheirSaslNamesOnly() {
        assertEquals(Optional.of(ScramMechanism.SCRAM_SHA_512), ScramMechanism.forMechanismName("SCRAM-SHA-512"));
        assertEquals(Optional.empty(), ScramMechanism.forMechanismName("SCRAM-SHA-256"));
        assertEquals(Optional.empty(), ScramMechanism.forMechanismName("SCRAM_SHA_512"));
    }

    @Test
    void newSaltsAreLongAndDiffer() {
        byte[] salt = ScramFunctions.newSalt();
        assertEquals(64, salt.length);
        assertFalse(Arrays.equals(salt, ScramFunctions.newSalt()));
    }
}
