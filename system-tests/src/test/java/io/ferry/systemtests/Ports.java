package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/** Free ports on 127.0.0.1 for nodes that need fixed ones (Raft addresses, the cluster script's plan). */
final class Ports {

    private static final int ATTEMPTS = 50;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /**
     * A port free now and never handed out before in this JVM: the kernel may give a just-closed
     * ephemeral port out again, and one cluster's nodes must not be given the same port twice.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
        throw new IllegalStateException("no loopback port that was not handed out already");
    }

    /**
     * A base port B for bin/ferry-cluster such that every port of its plan (B..B+2, B+100..B+102,
     * B+200..B+202, and each gRPC port + 1000) is free now. Another process may still take one before
     * the nodes bind it; the nodes then fail with a message naming the port.
     */
    static int freeClusterBase() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            if (IntStream.of(0, 1, 2, 100, 101, 102, 200, 201, 202, 1000, 1001, 1002, 1100, 1101, 1102)
                    .allMatch(offset -> isFree(base + offset))) {
                return base;
            }
        }
        return fail("no free port range for the cluster after " + ATTEMPTS + " attempts");
    }

    /** Nothing listens on 127.0.0.1:port now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
