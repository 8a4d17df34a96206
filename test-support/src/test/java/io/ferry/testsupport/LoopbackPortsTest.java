package io.ferry.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void portsAreFreeDistinctAndBelowTheEphemeralRange() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = LoopbackPorts.freePort();
            assertTrue(port < LoopbackPorts.firstEphemeralPort(), port + " is in the ephemeral range");
            assertTrue(seen.add(port), port + " was handed out twice");
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, bound.getLocalPort());
            }
        }
    }

    @Test
    void aBaseHasEveryOffsetFreeAndHandsThemAllOut() {
        int[] offsets = {0, 1, 2, 100, 1000, 1102};
        int base = LoopbackPorts.freeBase(offsets);
        assertTrue(base + 1102 < LoopbackPorts.firstEphemeralPort());
        for (int i = 0; i < 300; i++) {
            int port = LoopbackPorts.freePort();
            for (int offset : offsets) {
                assertFalse(port == base + offset, "port " + port + " of the base was handed out again");
            }
        }
    }

    @Test
    void aPortWithAListenerIsNotFree() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(LoopbackPorts.isFree(listening.getLocalPort()));
        }
    }
}
