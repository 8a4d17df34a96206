package io.ferry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.ConfigException;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FerryNodeTest {

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<TestRole> roles = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    static NodeConfig config(String roles, String... more) throws ConfigException {
        List<String> flags = new ArrayList<>(List.of(
                "node.id=1",
                "process.roles=" + roles,
                "controller.quorum.voters=1@127.0.0.1:1",
                "grpc.listener=127.0.0.1:0",
                "http.listener=127.0.0.1:0"));
        flags.addAll(List.of(more));
        return NodeConfig.load(java.util.Optional.empty(), Map.of(), flags);
    }

    private FerryNode start(NodeConfig config, ProcessRole failing) throws Exception {
        FerryNode node = FerryNode.start(
                config,
                (role, c, registry, threads) -> {
                    TestRole r = new TestRole(role, events, role == failing);
                    roles.add(r);
                    return r;
                },
                fatalErrors);
        toClose.add(node);
        return node;
    }

    private ManagedChannel channel(InetSocketAddress address) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", address.getPort())
                .usePlaintext()
                .build();
        toClose.add(() -> {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        });
        return channel;
    }

    private static ServingStatus health(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    private static ServerReflectionResponse reflect(ManagedChannel channel, ServerReflectionRequest request)
            throws Exception {
        CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.completeExceptionally(new IllegalStateException("no response"));
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        return reply.get(10, TimeUnit.SECONDS);
    }

    @Test
    void servesGrpcHealthReflectionRoleServicesMetricsAndHealthOnEphemeralPorts() throws Exception {
        FerryNode node = start(config("controller,broker"), null);
        assertNotEquals(0, node.grpcAddress().getPort());
        assertNotEquals(0, node.httpAddress().getPort());
        assertTrue(node.isHealthy());
        assertEquals(List.of("create controller", "create broker", "start controller", "start broker"), events);

        ManagedChannel channel = channel(node.grpcAddress());
        assertEquals(ServingStatus.SERVING, health(channel, ""));
        assertEquals(ServingStatus.SERVING, health(channel, "ferry.test.Echo"));
        assertEquals(
                "echo hi",
                ClientCalls.blockingUnaryCall(
                        channel,
                        TestRole.ECHO,
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                        "hi"));

        Set<String> services = reflect(
                        channel,
                        ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse()
                .getServiceList()
                .stream()
                .map(ServiceResponse::getName)
                .collect(Collectors.toSet());
        // Reflection lists services described by .proto files; the test role's echo service is not one.
        assertEquals(
                Set.of(
                        "grpc.health.v1.Health",
                        "grpc.reflection.v1.ServerReflection",
                        "grpc.reflection.v1alpha.ServerReflection"),
                services);
        ServerReflectionResponse file = reflect(
                channel,
                ServerReflectionRequest.newBuilder()
                        .setFileContainingSymbol("grpc.health.v1.Health")
                        .build());
        assertTrue(file.getFileDescriptorResponse().getFileDescriptorProtoCount() > 0, file.toString());

        HttpResponse<String> metrics = NodeHttp.get(node.httpAddress(), "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        for (String name : List.of(
                "jvm_memory_used_bytes",
                "jvm_gc_",
                "jvm_threads_live_threads",
                "jvm_classes_loaded_classes",
                "process_cpu_usage",
                "process_cpu_seconds_total",
                "process_uptime_seconds",
                "process_files_open_files")) {
            assertTrue(metrics.body().contains(name), "missing " + name);
        }

        assertTrue(node.meterRegistry().find("jvm.memory.used").gauge() != null);

        HttpResponse<String> health = NodeHttp.get(node.httpAddress(), "/health");
        assertEquals(200, health.statusCode());
        assertEquals(
                "{\"status\":\"UP\",\"state\":\"RUNNING\",\"roles\":{\"controller\":{\"status\":\"UP\"},"
                        + "\"broker\":{\"status\":\"UP\"}}}\n",
                health.body());
        assertEquals(404, NodeHttp.get(node.httpAddress(), "/metricsx").statusCode());
        assertEquals(405, NodeHttp.send(node.httpAddress(), "/health", "POST").statusCode());
    }

    @Test
    void anUnhealthyRoleTurnsHealthDownOnBothPorts() throws Exception {
        FerryNode node = start(config("controller"), null);
        ManagedChannel channel = channel(node.grpcAddress());
        roles.get(0).healthy = false;
        HttpResponse<String> health = NodeHttp.get(node.httpAddress(), "/health");
        assertEquals(503, health.statusCode());
        assertTrue(
                health.body()
                        .contains("\"controller\":{\"status\":\"DOWN\",\"reason\":\"made unhealthy by the test\"}"),
                health.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> health(channel, "") == ServingStatus.NOT_SERVING);
        assertEquals(ServingStatus.NOT_SERVING, health(channel, "ferry.test.Echo"));
        roles.get(0).healthy = true;
        await().atMost(Duration.ofSeconds(10)).until(() -> health(channel, "") == ServingStatus.SERVING);
        assertEquals(200, NodeHttp.get(node.httpAddress(), "/health").statusCode());
    }

    @Test
    void anErrorOnARequestThreadGoesToTheFatalErrorHandler() throws Exception {
        FerryNode node = start(config("controller"), null);
        ManagedChannel channel = channel(node.grpcAddress());
        assertThrows(
                StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(
                        channel,
                        TestRole.ECHO,
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                        TestRole.THROW_AN_ERROR));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> fatalErrors.recorded().stream()
                        .anyMatch(r -> r.threadName().startsWith("ferry-grpc-")
                                && r.error().getMessage().equals("injected on a request thread")));
        // The handler of a process halts; one that returns leaves a node that says it is not fit to serve.
        HttpResponse<String> health = NodeHttp.get(node.httpAddress(), "/health");
        assertEquals(503, health.statusCode());
        assertTrue(
                health.body()
                        .contains("\"fatal_error\":\"java.lang.OutOfMemoryError: injected on a request thread"
                                + " on thread ferry-grpc-"),
                health.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> health(channel, "") == ServingStatus.NOT_SERVING);
    }

    @Test
    void closeStopsAcceptingClosesRolesInReverseOrderAndReleasesPorts() throws Exception {
        FerryNode node = start(config("controller,broker"), null);
        InetSocketAddress grpc = node.grpcAddress();
        InetSocketAddress http = node.httpAddress();
        node.close();
        node.close();
        node.awaitStopped();
        assertEquals(
                List.of(
                        "create controller",
                        "create broker",
                        "start controller",
                        "start broker",
                        "close broker",
                        "close controller"),
                events);
        assertTrue(!node.isHealthy());
        assertThrows(ConnectException.class, () -> NodeHttp.get(http, "/health"));
        try (ServerSocket s = new ServerSocket(grpc.getPort(), 0, grpc.getAddress())) {
            assertEquals(grpc.getPort(), s.getLocalPort());
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .filter(Thread::isAlive)
                        .map(Thread::getName)
                        .noneMatch(n -> n.startsWith("ferry-http-") || n.equals("ferry-health")));
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aRoleThatHangsInCloseDoesNotKeepTheNodeFromStopping() throws Exception {
        java.util.concurrent.CountDownLatch blocker = new java.util.concurrent.CountDownLatch(1);
        FerryNode node = FerryNode.start(
                config("controller,broker"),
                (role, c, registry, threads) -> {
                    TestRole r = new TestRole(role, events, false);
                    if (role == ProcessRole.BROKER) {
                        r.closeBlocker = blocker;
                    }
                    return r;
                },
                fatalErrors,
                200);
        try {
            node.close();
            node.awaitStopped();
            assertEquals(
                    List.of(
                            "create controller",
                            "create broker",
                            "start controller",
                            "start broker",
                            "close broker",
                            "close controller"),
                    events);
        } finally {
            blocker.countDown();
        }
    }

    @Test
    void aRoleThatFailsToStartStopsStartUpAndEverythingIsClosed() throws Exception {
        NodeStartException e =
                assertThrows(NodeStartException.class, () -> start(config("controller,broker"), ProcessRole.BROKER));
        assertTrue(e.getMessage().contains("broker role failed to start"), e.getMessage());
        assertEquals(
                List.of(
                        "create controller",
                        "create broker",
                        "start controller",
                        "start broker",
                        "close broker",
                        "close controller"),
                events);
    }

    @Test
    void aBusyPortStopsStartUpNamingTheAddress() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            NodeStartException e = assertThrows(
                    NodeStartException.class,
                    () -> start(config("controller", "grpc.listener=127.0.0.1:" + busy.getLocalPort()), null));
            assertTrue(
                    e.getMessage().contains("cannot serve gRPC on 127.0.0.1:" + busy.getLocalPort()), e.getMessage());
            assertEquals(List.of("create controller", "start controller", "close controller"), events);
        }
    }

    @Test
    void anUnresolvableListenerHostStopsStartUpNamingTheAddress() {
        NodeStartException e = assertThrows(
                NodeStartException.class, () -> start(config("controller", "http.listener=nohost.invalid:0"), null));
        assertTrue(e.getMessage().contains("cannot serve HTTP on nohost.invalid:0"), e.getMessage());
        assertTrue(e.getCause() instanceof java.net.UnknownHostException, e.toString());
    }

    @Test
    void aBrokerOnlyNodeWithoutControllerAddressesIsAConfigurationError() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> FerryNode.start(config("broker")));
        assertEquals("controller.quorum.bootstrap.servers", e.problems().get(0).key());
        assertTrue(e.getMessage().contains("at least one controller"), e.getMessage());
    }

    @Test
    void commandLineReportsAnInvalidConfigurationWithExitStatus2() {
        int status = FerryNode.run(
                new String[] {"--override", "node.id=x"},
                (role, c, registry, threads) -> new TestRole(role, events, false),
                Map.of(),
                fatalErrors);
        assertEquals(NodeCommand.EXIT_INVALID_CONFIG, status);
        assertEquals(List.of(), events);
    }

    @Test
    void grpcCallsAreRefusedAfterClose() throws Exception {
        FerryNode node = start(config("controller"), null);
        ManagedChannel channel = channel(node.grpcAddress());
        assertEquals(ServingStatus.SERVING, health(channel, ""));
        node.close();
        assertThrows(StatusRuntimeException.class, () -> health(channel, ""));
    }
}
