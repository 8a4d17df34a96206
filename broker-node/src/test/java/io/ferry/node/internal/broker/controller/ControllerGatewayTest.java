package io.ferry.node.internal.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.HostPort;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's way to the controllers moves on from NOT_CONTROLLER answers and unreachable addresses, and
 * fails a call it could not get answered in time with a typed failure.
 */
class ControllerGatewayTest {

    private final List<Server> servers = new ArrayList<>();
    private final RecordedFatalErrors fatalErrors = new RecordedFatalErrors();
    private final List<ControllerGateway> gateways = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        gateways.forEach(ControllerGateway::close);
        assertEquals(List.of(), fatalErrors.recorded());
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A controller that answers DescribeCluster with {@code code}, counting calls. */
    private HostPort controller(ErrorCode code, int leaderId, AtomicInteger calls) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new ControllerServiceGrpc.ControllerServiceImplBase() {
                    @Override
                    public void describeCluster(
                            DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
                        calls.incrementAndGet();
                        observer.onNext(DescribeClusterResponse.newBuilder()
                                .setControllerLeaderId(leaderId)
                                .setError(Error.newBuilder().setCode(code).setMessage("from " + leaderId))
                                .build());
                        observer.onCompleted();
                    }
                })
                .build()
                .start();
        servers.add(server);
        return new HostPort(
                "127.0.0.1", ((InetSocketAddress) server.getListenSockets().get(0)).getPort());
    }

    private static HostPort closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return new HostPort("127.0.0.1", s.getLocalPort());
        }
    }

    private ControllerGateway gateway(HostPort... controllers) {
        ControllerGateway gateway = new ControllerGateway(fatalErrors.threads(), Optional.empty());
        gateways.add(gateway);
        gateway.connect(List.of(controllers));
        return gateway;
    }

    private static DescribeClusterResponse describe(ControllerGateway gateway, long timeoutMillis) throws Exception {
        try {
            return gateway.call(
                            "DescribeCluster",
                            (stub, answer) -> stub.describeCluster(DescribeClusterRequest.getDefaultInstance(), answer),
                            DescribeClusterResponse::getError,
                            timeoutMillis)
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void notControllerAndUnreachableAddressesAreSkippedUntilOneAnswers() throws Exception {
        AtomicInteger notControllerCalls = new AtomicInteger();
        AtomicInteger answeringCalls = new AtomicInteger();
        HostPort notController = controller(ErrorCode.NOT_CONTROLLER, -1, notControllerCalls);
        HostPort answering = controller(ErrorCode.NONE, 3, answeringCalls);
        ControllerGateway gateway = gateway(notController, closedPort(), answering);
        assertEquals(3, describe(gateway, 10_000).getControllerLeaderId());
        assertEquals(1, notControllerCalls.get());
        // The working address is remembered for the next call.
        describe(gateway, 10_000);
        assertEquals(1, notControllerCalls.get());
        assertEquals(2, answeringCalls.get());
    }

    @Test
    void otherErrorsAreTheControllersAnswerAndNoAnswerInTimeIsATypedFailure() throws Exception {
        HostPort refusing = controller(ErrorCode.INVALID_REQUEST, 1, new AtomicInteger());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                describe(gateway(refusing), 10_000).getError().getCode());
        HostPort notController = controller(ErrorCode.NOT_CONTROLLER, -1, new AtomicInteger());
        ControllerGateway.ControllerUnavailableException e = assertThrows(
                ControllerGateway.ControllerUnavailableException.class, () -> describe(gateway(notController), 300));
        assertTrue(e.getMessage().contains("NOT_CONTROLLER"), e.getMessage());
    }

    @Test
    void aCallBeforeTheGatewayIsConnectedFailsAtOnce() {
        ControllerGateway gateway = new ControllerGateway(fatalErrors.threads(), Optional.empty());
        gateways.add(gateway);
        ControllerGateway.ControllerUnavailableException e =
                assertThrows(ControllerGateway.ControllerUnavailableException.class, () -> describe(gateway, 10_000));
        assertTrue(e.getMessage().contains("still starting"), e.getMessage());
    }
}
