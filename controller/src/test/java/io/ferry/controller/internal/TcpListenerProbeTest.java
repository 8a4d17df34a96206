package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real connections on loopback: what a broker's port says while its process lives and after it is gone. */
class TcpListenerProbeTest {

    private final TcpListenerProbe probe = new TcpListenerProbe(1_000);

    @AfterEach
    void close() {
        probe.close();
    }

    private boolean refused(String host, int port) throws Exception {
        return probe.refused(host, port).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aListeningPortIsNotRefusedEvenWhenNothingAcceptsTheConnection() throws Exception {
        // backlog 1 and no accept(): a paused JVM's port looks like this, and the kernel still completes the handshake
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(refused("127.0.0.1", listening.getLocalPort()));
        }
    }

    @Test
    void aPortWhoseListenerClosedIsRefused() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        assertTrue(refused("127.0.0.1", port));
    }

    @Test
    void anUnresolvableHostProvesNothing() throws Exception {
        assertFalse(refused("no-such-broker.invalid", 9092));
    }

    @Test
    void aClosedProbeAnswersNotRefused() throws Exception {
        probe.close();
        assertFalse(refused("127.0.0.1", 1));
    }
}
