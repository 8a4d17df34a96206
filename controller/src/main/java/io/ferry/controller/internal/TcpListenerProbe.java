package io.ferry.controller.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes with a bare TCP connection, closed as soon as it is made. Why that is evidence: when a process dies
 * (kill -9 included) its kernel closes its listening sockets, and a connection to such a port is refused at
 * once, whatever the host's load. A live broker's port accepts even while its JVM is paused (the kernel
 * completes the handshake from the listen backlog), so a slow broker is never taken for a dead one. A host
 * that is down or cut off refuses nothing; its connection times out and the probe proves nothing.
 *
 * <p>No byte is sent: the broker's listener sees a connection that closes before its first frame (TLS
 * included), which it drops without a word. One connection per call, on its own daemon thread; the active
 * controller has at most one probe per broker in flight.
 */
public final class TcpListenerProbe implements ListenerProbe, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpListenerProbe.class);

    private final int connectTimeoutMs;
    private final ExecutorService connects = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ferry-broker-probe");
        t.setDaemon(true);
        return t;
    });

    /** @param connectTimeoutMs how long a connection may take before the probe gives up, proving nothing */
    public TcpListenerProbe(int connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    @Override
    public CompletableFuture<Boolean> refused(String host, int port) {
        try {
            return CompletableFuture.supplyAsync(() -> connect(host, port), connects);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(false); // closed: the controller is no longer active
        }
    }

    private boolean connect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            return false;
        } catch (ConnectException e) {
            // The JDK reports ECONNREFUSED only in the message ("Connection refused"; other connect failures,
            // such as "Connection timed out", share the exception type).
            boolean refused = e.getMessage() != null && e.getMessage().startsWith("Connection refused");
            LOG.debug("Probe of {}:{}: {}", host, port, e.getMessage());
            return refused;
        } catch (IOException | RuntimeException e) {
            LOG.debug("Probe of {}:{} proved nothing: {}", host, port, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        connects.shutdownNow();
    }
}
