package io.ferry.security.scram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScramMessagesTest {

    @Test
    void aClientFirstMessageReadsBackAsWritten() throws ScramException {
        ClientFirstMessage message = ClientFirstMessage.parse("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");

        assertEquals(new ClientFirstMessage("n,,", "user", "fyko+d2lbbFgONRv9qkxdawL"), message);
        assertEquals("n=user,r=fyko+d2lbbFgONRv9qkxdawL", message.bare());
        assertEquals("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", message.toMessage());
    }

    @Test
    void aClientThatSupportsChannelBindingButThinksTheServerDoesNotIsAcceptedAsKafkaDoes() throws ScramException {
        assertEquals("y,,", ClientFirstMessage.parse("y,,n=user,r=abc").gs2Header());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "p=tls-unique,,n=user,r=abc|channel binding",
                "x,,n=user,r=abc|flag",
                "n,a=admin,n=user,r=abc|authorization identity",
                "n,,m=ext,n=user,r=abc|reserved m=",
                "n,,n=,r=abc|user name is empty",
                "n,,n=a=2Xb,r=abc|'='",
                "n,,u=user,r=abc|'n='",
                "n,,n=user,x=abc|'r='",
                "n,,n=user,r=|nonce is empty",
                "n,,n=user,r=ab c|printable",
                "n,,n=user,r=abc,tokenauth=true|delegation-token",
                "n,,n=user,r=abc,q=1|extension 'q'",
                "n,,n=user|parts",
            })
    void malformedClientFirstMessagesAreRefusedWithTheirCause(String message, String cause) {
        ScramException refusal = assertThrows(ScramException.class, () -> ClientFirstMessage.parse(message));

        assertTrue(refusal.getMessage().contains(cause), refusal.getMessage());
    }

    @Test
    void aUserNameWithAControlCharacterIsRefused() {
        assertThrows(ScramException.class, () -> ClientFirstMessage.parse("n,,n=us\ner,r=abc"));
    }

    @Test
    void anOverlongUserNameIsRefused() {
        String name = "u".repeat(ClientFirstMessage.MAX_USER_NAME_CHARS + 1);

        ScramException refusal =
                assertThrows(ScramException.class, () -> ClientFirstMessage.parse("n,,n=" + name + ",r=abc"));
        assertTrue(refusal.getMessage().contains("longer than"), refusal.getMessage());
    }

    @Test
    void aMessageOverTheSizeBoundIsRefusedBeforeParsing() {
        String message = "n,,n=user,r=" + "a".repeat(ScramAttributes.MAX_MESSAGE_BYTES);

        ScramException refusal = assertThrows(ScramException.class, () -> ClientFirstMessage.parse(message));
        assertTrue(refusal.getMessage().contains("longer than 4096 bytes"), refusal.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "r=abc,s=c2FsdA==",
                "r=abc,s=c2FsdA==,i=4096,x=1",
                "r=abc,s=not base64!,i=4096",
                "r=abc,s=,i=4096",
                "r=abc,s=c2FsdA==,i=many",
                "s=c2FsdA==,r=abc,i=4096",
            })
    void malformedServerFirstMessagesAreRefused(String message) {
        assertThrows(ScramException.class, () -> ServerFirstMessage.parse(message));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "c=biws,r=abc",
                "c=biws,r=abc,x=1,p=cHJvb2Y=",
                "r=abc,c=biws,p=cHJvb2Y=",
                "c=biws,r=abc,p=",
                "c=***,r=abc,p=cHJvb2Y=",
                "c=biws,r=a c,p=cHJvb2Y=",
            })
    void malformedClientFinalMessagesAreRefused(String message) {
        assertThrows(ScramException.class, () -> ClientFinalMessage.parse(message));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v=", "x=abc", "v=c2ln,v=c2ln"})
    void malformedServerFinalMessagesAreRefused(String message) {
        assertThrows(ScramException.class, () -> ServerFinalMessage.parse(message));
    }

    @Test
    void aServerFinalErrorIsReadAsAnError() throws ScramException {
        assertEquals(
                "invalid-proof", ServerFinalMessage.parse("e=invalid-proof").error());
    }
}
