package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.security.scram.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SaslLoginTest {

    private static final String MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

    private static SaslLogin parse(String text) {
        return SaslLogin.parse(ScramMechanism.SCRAM_SHA_512, text);
    }

    @Test
    void kafkasSyntaxReadsAsKafkaReadsIt() {
        SaslLogin login = parse(MODULE + " required username=\"alice\" password=\"alice-secret\";");

        assertEquals("alice", login.userName());
        assertEquals("alice-secret", login.password());
        assertEquals(ScramMechanism.SCRAM_SHA_512, login.mechanism());
    }

    @Test
    void blanksBareWordsAndEscapedQuotesAreRead() {
        SaslLogin login =
                parse("\n  " + MODULE + "\trequired\n password = \"say \\\"hi\\\" \\\\ ok\"  username=bob ;  ");

        assertEquals("bob", login.userName());
        assertEquals("say \"hi\" \\ ok", login.password());
    }

    @Test
    void theLoginNeverPrintsThePassword() {
        assertFalse(parse(MODULE + " required username=\"alice\" password=\"hunter2\";")
                .toString()
                .contains("hunter2"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"hunter2\";",
                MODULE + " optional username=\"a\" password=\"hunter2\";",
                MODULE + " required username=\"a\" password=\"hunter2\"",
                MODULE + " required username=\"a\" password=\"hunter2;",
                MODULE + " required username=\"a\" password=\"hunter2\"; " + MODULE + " required;",
                MODULE + " required username=\"a\";",
                MODULE + " required username=\"\" password=\"hunter2\";",
                MODULE + " required username=\"a\" password=\"hunter2\" password=\"hunter2\";",
                MODULE + " required username=\"a\" password=\"hunter2\" tokenauth=true;",
                MODULE + " required username \"a\" password=\"hunter2\";",
            })
    void anythingElseIsRefusedWithoutQuotingThePassword(String text) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> parse(text));

        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());
        assertTrue(!refused.getMessage().isEmpty());
    }
}
