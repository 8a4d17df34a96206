package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.ListGroupsRequest;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * listConsumerGroups against brokers that each list their own groups from a script: the groups of every
 * broker that answers are kept, and the brokers that do not are each named with their error.
 */
class ListConsumerGroupsTest {

    private final List<ScriptedBroker> brokers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (ScriptedBroker b : brokers) {
            b.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void listsEveryBrokersGroupsAskingAgainWhileOneIsLoading() throws IOException {
        ScriptedBroker first = broker();
        ScriptedBroker loading = broker();
        first.answers.add(listing("billing", "STABLE"));
        loading.answers.add(error(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
        loading.answers.add(listing("audit", "EMPTY"));

        try (FerryAdmin admin = admin(first, 10_000)) {
            assertEquals(
                    List.of(new ConsumerGroupListing("audit", "EMPTY"), new ConsumerGroupListing("billing", "STABLE")),
                    admin.listConsumerGroups());
        }
        assertEquals(1, first.asked.get());
        assertEquals(2, loading.asked.get(), "a loading broker is asked again");
    }

    @Test
    void keepsTheGroupsOfTheBrokersThatAnsweredAndNamesEachThatDidNot() throws IOException, InterruptedException {
        ScriptedBroker first = broker();
        ScriptedBroker loading = broker();
        ScriptedBroker refusing = broker();
        ScriptedBroker stopped = broker();
        first.answers.add(listing("billing", "STABLE"));
        loading.answers.add(error(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
        loading.answers.add(listing("audit", "EMPTY"));
        refusing.answers.add(error(ErrorCode.INVALID_REQUEST));
        stopped.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        try (FerryAdmin admin = admin(first, 2000)) {
            PartialGroupListingException e =
                    assertThrows(PartialGroupListingException.class, admin::listConsumerGroups);
            assertEquals(
                    List.of(new ConsumerGroupListing("audit", "EMPTY"), new ConsumerGroupListing("billing", "STABLE")),
                    e.listed());
            assertEquals(
                    new TreeSet<>(List.of(refusing.address(), stopped.address()))
                            .stream().toList(),
                    List.copyOf(e.failures().keySet()),
                    "sorted");
            assertEquals(
                    ErrorCode.INVALID_REQUEST,
                    e.failures().get(refusing.address()).code());
            assertTrue(e.failures().get(stopped.address()) instanceof FerryTransportException);
            assertFalse(e.retriable(), "one broker refused for good");
            assertTrue(e.getMessage().startsWith("could not list the groups of 2 of 4 broker(s)"), e.getMessage());
            assertTrue(
                    e.getMessage().contains(refusing.address() + " (INVALID_REQUEST: scripted INVALID_REQUEST)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(stopped.address() + " (UNAVAILABLE: "), e.getMessage());
            assertEquals(2, e.getSuppressed().length, "each broker's failure, with its stack trace");
            assertEquals(1, e.getMessage().lines().count(), "one line, as the CLI prints the first");
        }
        assertEquals(1, refusing.asked.get(), "a final error is not asked again");
    }

    private ScriptedBroker broker() throws IOException {
        ScriptedBroker broker = new ScriptedBroker(brokers);
        broker.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(broker)
                .addService(broker.metadata)
                .build()
                .start();
        broker.port = broker.server.getPort();
        brokers.add(broker);
        return broker;
    }

    private static FerryAdmin admin(ScriptedBroker bootstrap, int apiTimeoutMs) {
        return GroupAdminTest.admin(bootstrap.address(), apiTimeoutMs);
    }

    private static ListGroupsResponse listing(String groupId, String state) {
        return ListGroupsResponse.newBuilder()
                .addGroups(ListGroupsResponse.Listing.newBuilder()
                        .setGroupId(groupId)
                        .setGroupState(state))
                .build();
    }

    private static ListGroupsResponse error(ErrorCode code) {
        return ListGroupsResponse.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage("scripted " + code))
                .build();
    }

    /** Answers ListGroups from a queue, and Metadata with every scripted broker of the test. */
    private static final class ScriptedBroker extends GroupServiceGrpc.GroupServiceImplBase {
        final Deque<ListGroupsResponse> answers = new ConcurrentLinkedDeque<>();
        final AtomicInteger asked = new AtomicInteger();
        final BrokerServiceGrpc.BrokerServiceImplBase metadata;
        volatile Server server;
        /** Kept: a stopped server no longer tells its port. */
        volatile int port;

        ScriptedBroker(List<ScriptedBroker> cluster) {
            this.metadata = new BrokerServiceGrpc.BrokerServiceImplBase() {
                @Override
                public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> responses) {
                    MetadataResponse.Builder response = MetadataResponse.newBuilder();
                    for (int id = 0; id < cluster.size(); id++) {
                        response.addBrokers(BrokerRegistration.newBuilder()
                                .setBrokerId(id + 1)
                                .setIncarnationId("i" + id)
                                .addEndpoints(Endpoint.newBuilder()
                                        .setName("CLIENT")
                                        .setHost("127.0.0.1")
                                        .setPort(cluster.get(id).port)));
                    }
                    responses.onNext(response.build());
                    responses.onCompleted();
                }
            };
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        @Override
        public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> responses) {
            asked.incrementAndGet();
            responses.onNext(answers.remove());
            responses.onCompleted();
        }
    }
}
