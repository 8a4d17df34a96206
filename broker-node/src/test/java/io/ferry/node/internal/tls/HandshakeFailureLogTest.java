package io.ferry.node.internal.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.NodeConfig;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.tls.TestCertificates;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS listener that requires client certificates tells the operator, not only the client, when it refuses
 * one in the handshake.
 */
class HandshakeFailureLogTest {

    @TempDir
    Path dir;

    private final NodeThreads threads = new NodeThreads((thread, error) -> {});
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private TestCertificates.NodeFiles files;
    private NodeTls tls;
    private Server server;

    @BeforeEach
    void startServer() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        List<String> settings = files.tlsCombinedNode(dir.resolve("logs"), "ssl.client.auth=required");
        tls = NodeTls.listeners(
                NodeConfig.load(Optional.empty(), Map.of(), settings).values(), threads);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .protocolNegotiator(new TlsOnlyNegotiator(tls.sslContext(), warnings::add))
                .build()
                .start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        tls.close();
    }

    /** The status of a health check (a service this server does not have) over a new connection. */
    private Status.Code call(ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), credentials)
                .build();
        try {
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class,
                    () -> HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance()));
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aClientWithoutACertificateIsLogged() throws Exception {
        ChannelCredentials noCertificate = TlsChannelCredentials.newBuilder()
                .trustManager(files.truststore().toFile())
                .build();

        assertEquals(Status.Code.UNAVAILABLE, call(noCertificate));

        await().atMost(Duration.ofSeconds(10)).until(() -> !warnings.isEmpty());
        String line = warnings.get(0);
        assertTrue(line.startsWith("TLS handshake with /127.0.0.1:"), line);
        assertTrue(line.toLowerCase(Locale.ROOT).contains("certificate"), line);
    }

    @Test
    void aClientWithATrustedCertificateIsNot() throws Exception {
        Path client = dir.resolve("client.pem");
        files.authority().writeKeystore(client, "client-1");
        ChannelCredentials trusted = TlsChannelCredentials.newBuilder()
                .trustManager(files.truststore().toFile())
                .keyManager(client.toFile(), client.toFile())
                .build();

        assertEquals(Status.Code.UNIMPLEMENTED, call(trusted));
        assertEquals(List.of(), warnings);
    }
}
