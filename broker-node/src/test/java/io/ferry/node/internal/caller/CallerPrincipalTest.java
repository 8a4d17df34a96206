package io.ferry.node.internal.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.config.HostPort;
import io.ferry.node.NodeConfig;
import io.ferry.node.Utf8Marshaller;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.GrpcEndpoint;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.node.tls.TestCertificates;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The principal a handler sees, through a real RPC to a test service on a {@link GrpcEndpoint}: the mapped
 * certificate subject on a mutual-TLS connection, {@code User:ANONYMOUS} without a client certificate and on
 * plaintext, and UNAUTHENTICATED for a certificate no rule maps.
 */
class CallerPrincipalTest {

    /** Answers every call with the principal of the caller. */
    private static final MethodDescriptor<String, String> WHOAMI = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("ferry.test.Whoami/Get")
            .setRequestMarshaller(new Utf8Marshaller())
            .setResponseMarshaller(new Utf8Marshaller())
            .build();

    @TempDir
    Path dir;

    private final NodeThreads threads = new NodeThreads((thread, error) -> {});
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestCertificates ca;
    private Path truststore;
    private Path keystore;

    @BeforeEach
    void certificates() {
        TestCertificates.NodeFiles files = TestCertificates.nodeFiles(dir);
        ca = files.authority();
        truststore = files.truststore();
        keystore = files.keystore();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        executor.shutdownNow();
    }

    /** A server with the test service on loopback: TLS asking for client certificates, or plaintext. */
    private int serve(boolean tls, String rules) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.addAll(List.of(
                "grpc.listener.security.protocol=" + (tls ? "SSL" : "PLAINTEXT"),
                "ssl.keystore.location=" + keystore,
                "ssl.truststore.location=" + truststore,
                "ssl.client.auth=requested",
                "ssl.principal.mapping.rules=" + rules));
        NodeConfig config = NodeConfig.load(Optional.empty(), Map.of(), settings);
        Optional<NodeTls> listenerTls =
                tls ? Optional.of(NodeTls.listeners(config.values(), threads)) : Optional.empty();
        listenerTls.ifPresent(open::add);
        ServerServiceDefinition whoami = ServerServiceDefinition.builder("ferry.test.Whoami")
                .addMethod(WHOAMI, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(CallerPrincipal.current().toString());
                    response.onCompleted();
                }))
                .build();
        GrpcEndpoint endpoint = GrpcEndpoint.start(
                new GrpcEndpoint.Listener(new HostPort("127.0.0.1", 0), listenerTls.map(NodeTls::sslContext)),
                Optional.empty(),
                List.of(whoami),
                1 << 20,
                10,
                executor,
                Set.of(),
                new CallerPrincipal(config.sslPrincipalMapper()));
        open.add(() -> endpoint.awaitStop(0));
        return endpoint.address().getPort();
    }

    private String whoami(int port, ChannelCredentials credentials) {
        ManagedChannel channel =
                Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
        try {
            return ClientCalls.blockingUnaryCall(
                    channel, WHOAMI, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "");
        } finally {
            channel.shutdownNow();
        }
    }

    private ChannelCredentials tls(Optional<Path> clientKeystore) throws IOException {
        TlsChannelCredentials.Builder builder =
                TlsChannelCredentials.newBuilder().trustManager(truststore.toFile());
        if (clientKeystore.isPresent()) {
            builder.keyManager(
                    clientKeystore.get().toFile(), clientKeystore.get().toFile());
        }
        return builder.build();
    }

    @Test
    void aClientCertificateIsItsSubjectByDefault() throws Exception {
        Path client = dir.resolve("client.pem");
        X509Certificate certificate = ca.writeKeystore(client, "alice,OU=eng,O=Example");
        int port = serve(true, "DEFAULT");

        assertEquals("User:" + certificate.getSubjectX500Principal().getName(), whoami(port, tls(Optional.of(client))));
    }

    @Test
    void theMappingRulesNameTheClient() throws Exception {
        Path client = dir.resolve("client.pem");
        ca.writeKeystore(client, "Alice,OU=eng,O=Example");
        int port = serve(true, "RULE:^CN=[^,]*,OU=ops,.*$/ops/, RULE:^.*CN=([^,]+).*$/$1/L, DEFAULT");

        assertEquals("User:alice", whoami(port, tls(Optional.of(client))));
    }

    @Test
    void aTlsClientWithoutACertificateIsAnonymous() throws Exception {
        int port = serve(true, "DEFAULT");

        assertEquals("User:ANONYMOUS", whoami(port, tls(Optional.empty())));
    }

    @Test
    void aPlaintextClientIsAnonymous() throws Exception {
        int port = serve(false, "DEFAULT");

        assertEquals("User:ANONYMOUS", whoami(port, InsecureChannelCredentials.create()));
    }

    @Test
    void aCertificateNoRuleMapsIsRefused() throws Exception {
        Path client = dir.resolve("client.pem");
        ca.writeKeystore(client, "mallory,OU=guests");
        int port = serve(true, "RULE:^CN=([^,]+),OU=eng.*$/$1/");

        StatusRuntimeException e =
                assertThrows(StatusRuntimeException.class, () -> whoami(port, tls(Optional.of(client))));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals(CallerPrincipal.REFUSAL, e.getStatus().getDescription());
    }

    @Test
    void outsideACallTheCallerIsAnonymous() {
        assertEquals("User:ANONYMOUS", CallerPrincipal.current().toString());
    }
}
