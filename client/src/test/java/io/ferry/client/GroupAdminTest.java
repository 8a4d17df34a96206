package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin's coordinator lookup against scripted GroupServices: which broker it asks, what it retries,
 * when it finds the coordinator again, and that it gives up within default.api.timeout.ms.
 */
class GroupAdminTest {

    private final List<ScriptedGroupService> brokers = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(Server::shutdownNow);
    }

    @Test
    void retriesWhileTheCoordinatorIsNotAvailableAndFindsItAgainWhenItMoved() throws IOException {
        ScriptedGroupService first = broker();
        ScriptedGroupService second = broker();
        ScriptedGroupService third = broker();
        // A fresh cluster: __consumer_offsets is being created.
        first.findAnswers.add(error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        first.findAnswers.add(error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        first.findAnswers.add(at(second));
        // The second coordinated the group a moment ago, then lost its offsets partition.
        second.describeAnswers.add(describeError(ErrorCode.NOT_COORDINATOR));
        first.findAnswers.add(at(third));
        third.describeAnswers.add(describeError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
        third.describeAnswers.add(DescribeGroupsResponse.newBuilder()
                .addGroups(DescribeGroupsResponse.Description.newBuilder()
                        .setGroupId("billing")
                        .setGroupState("EMPTY")
                        .setGroupEpoch(4)
                        .setAssignorName("uniform"))
                .build());

        try (FerryAdmin admin = admin(first, 10_000)) {
            ConsumerGroupDescription described =
                    admin.describeConsumerGroups(List.of("billing")).get("billing");
            assertEquals(
                    new ConsumerGroupDescription(
                            "billing",
                            "EMPTY",
                            4,
                            "uniform",
                            List.of(),
                            new BrokerInfo(third.port, "127.0.0.1", third.port, false)),
                    described,
                    "with the coordinator that answered");
        }
        assertEquals(4, first.finds.size(), "two not available, one found, one found again after NOT_COORDINATOR");
        assertEquals(1, second.describes.size());
        assertEquals(2, third.describes.size(), "a loading coordinator is asked again, not looked up again");
    }

    @Test
    void givesUpWithinTheApiTimeoutNamingTheLastError() throws IOException {
        ScriptedGroupService only = broker();
        for (int i = 0; i < 1000; i++) {
            only.findAnswers.add(error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        }
        // A budget a loaded machine still gets several answers in; the test measures no time itself.
        try (FerryAdmin admin = admin(only, 3000)) {
            FerryTimeoutException e =
                    assertThrows(FerryTimeoutException.class, () -> admin.listConsumerGroupOffsets("billing"));
            assertTrue(e.getMessage().contains("__consumer_offsets is being created"), e.getMessage());
        }
        assertTrue(only.finds.size() < 1000, "gave up at default.api.timeout.ms, not after every scripted answer");
    }

    @Test
    void aFinalErrorIsThrownWithTheBrokersMessage() throws IOException {
        ScriptedGroupService only = broker();
        only.findAnswers.add(at(only));
        only.describeAnswers.add(DescribeGroupsResponse.newBuilder()
                .addGroups(DescribeGroupsResponse.Description.newBuilder()
                        .setGroupId("nope")
                        .setError(Error.newBuilder()
                                .setCode(ErrorCode.GROUP_ID_NOT_FOUND)
                                .setMessage("group 'nope' does not exist on its coordinator")))
                .build());
        try (FerryAdmin admin = admin(only, 10_000)) {
            FerryException e = assertThrows(FerryException.class, () -> admin.describeConsumerGroups(List.of("nope")));
            assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, e.code());
            assertEquals("group 'nope' does not exist on its coordinator", e.getMessage());
        }
        assertEquals(1, only.describes.size(), "not retried");
    }

    private ScriptedGroupService broker() throws IOException {
        ScriptedGroupService service = new ScriptedGroupService();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .build()
                .start();
        service.port = server.getPort();
        servers.add(server);
        brokers.add(service);
        return service;
    }

    private static FerryAdmin admin(ScriptedGroupService bootstrap, int apiTimeoutMs) {
        return admin("127.0.0.1:" + bootstrap.port, apiTimeoutMs);
    }

    /** An admin that retries every 10 ms for at most {@code apiTimeoutMs}. */
    static FerryAdmin admin(String bootstrap, int apiTimeoutMs) {
        return new FerryAdmin(AdminConfig.of(Map.of(
                "bootstrap.servers",
                bootstrap,
                "default.api.timeout.ms",
                apiTimeoutMs,
                "request.timeout.ms",
                Math.min(apiTimeoutMs, 5000),
                "retry.backoff.ms",
                10)));
    }

    private static FindCoordinatorResponse error(ErrorCode code) {
        return FindCoordinatorResponse.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage("__consumer_offsets is being created"))
                .setNodeId(-1)
                .build();
    }

    private static FindCoordinatorResponse at(ScriptedGroupService coordinator) {
        return FindCoordinatorResponse.newBuilder()
                .setNodeId(coordinator.port)
                .setEndpoint(Endpoint.newBuilder().setHost("127.0.0.1").setPort(coordinator.port))
                .build();
    }

    private static DescribeGroupsResponse describeError(ErrorCode code) {
        return DescribeGroupsResponse.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage(code.name()))
                .build();
    }

    /** Answers FindCoordinator and DescribeGroups from queues, recording what it was asked. */
    private static final class ScriptedGroupService extends GroupServiceGrpc.GroupServiceImplBase {
        final Deque<FindCoordinatorResponse> findAnswers = new ConcurrentLinkedDeque<>();
        final Deque<DescribeGroupsResponse> describeAnswers = new ConcurrentLinkedDeque<>();
        final List<FindCoordinatorRequest> finds = new CopyOnWriteArrayList<>();
        final List<DescribeGroupsRequest> describes = new CopyOnWriteArrayList<>();
        volatile int port;

        @Override
        public void findCoordinator(FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> responses) {
            finds.add(request);
            responses.onNext(findAnswers.remove());
            responses.onCompleted();
        }

        @Override
        public void describeGroups(DescribeGroupsRequest request, StreamObserver<DescribeGroupsResponse> responses) {
            describes.add(request);
            responses.onNext(describeAnswers.remove());
            responses.onCompleted();
        }
    }
}
