package io.ferry.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Loopback ports for the nodes a test configures before they bind (Raft voters, a broker restarted on its
 * port, the cluster script's plan).
 *
 * <p>They are taken below the kernel's ephemeral range. A port the kernel gives out for {@code bind(0)} is
 * also a source port it may give any outgoing connection, and a cluster starting up opens many: one of them
 * can take a node's port between the pick and the node's bind (a CI run failed so, "Failed to bind").
 * Below the range only another listener can take it. A port is handed out once per JVM, so one cluster's
 * nodes never share one.
 */
public final class LoopbackPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default first ephemeral port, for kernels that do not say. */
    private static final int DEFAULT_FIRST_EPHEMERAL = 32_768;
    /** Below this are the ports well-known services listen on. */
    private static final int LOWEST = 10_000;

    private static final int FIRST_EPHEMERAL = firstEphemeralPort();
    private static final int ATTEMPTS = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {}

    /** A loopback port nothing listens on now, below the ephemeral range, not handed out before in this JVM. */
    public static int freePort() {
        return freeBase(0);
    }

    /**
     * A port B such that B + each of {@code offsets} is free now, below the ephemeral range, and not handed
     * out before in this JVM; all of them are handed out.
     */
    public static int freeBase(int... offsets) {
        int span = IntStream.of(offsets).max().orElse(0) + 1;
        int highest = FIRST_EPHEMERAL - span;
        if (highest <= LOWEST) {
            throw new IllegalStateException("the kernel's ephemeral range starts at " + FIRST_EPHEMERAL
                    + ", leaving no room below it for " + span + " ports from " + LOWEST);
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            if (IntStream.of(offsets).allMatch(o -> !HANDED_OUT.contains(base + o) && isFree(base + o))
                    && IntStream.of(offsets).allMatch(o -> HANDED_OUT.add(base + o))) {
                return base;
            }
        }
        throw new IllegalStateException("no free loopback ports after " + ATTEMPTS + " attempts");
    }

    /** Nothing listens on 127.0.0.1:port now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The first port of the kernel's ephemeral range ({@code ip_local_port_range}). Read by lines: on Java 17
     * {@code Files.readString} returns a proc file's first byte only.
     */
    static int firstEphemeralPort() {
        try {
            return Integer.parseInt(
                    Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_FIRST_EPHEMERAL;
        }
    }
}
