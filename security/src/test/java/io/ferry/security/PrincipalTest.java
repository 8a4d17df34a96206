package io.ferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrincipalTest {

    @Test
    void parsesTypeAndNameAtTheFirstColon() {
        assertEquals(Principal.user("alice"), Principal.parse("User:alice"));
        assertEquals(Principal.user("CN=a:b,O=x"), Principal.parse("User:CN=a:b,O=x"));
        assertEquals("User:alice", Principal.user("alice").toString());
    }

    @Test
    void refusesTextWithoutAType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Principal.parse("alice"));
        assertTrue(e.getMessage().contains("type:name"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Principal.parse(":alice"));
    }
}
