package io.ferry.client.internal;

import io.ferry.client.BrokerInfo;
import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.FerryTransportException;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Blocking calls to a group's coordinator: finds it with FindCoordinator (asked of the brokers in turn),
 * remembers it, and calls it. COORDINATOR_NOT_AVAILABLE and COORDINATOR_LOAD_IN_PROGRESS are retried
 * after {@code retry.backoff.ms} (the first FindCoordinator of a cluster answers the former while
 * {@code __consumer_offsets} is created), NOT_COORDINATOR and transport failures find the coordinator
 * again, and other errors become {@link FerryException}s with the broker's message.
 *
 * <p>Thread-safe: the only state is the map of known coordinators.
 */
public final class GroupCoordinatorCalls {

    private final MetadataManager metadata;
    private final List<InetSocketAddress> bootstrap;
    private final Channels channels;
    private final Map<String, Coordinator> coordinators = new ConcurrentHashMap<>();

    /** A group's coordinator, with its address resolved once (every commit of the group is sent to it). */
    private record Coordinator(BrokerInfo broker, InetSocketAddress address) {
        Coordinator(BrokerInfo broker) {
            this(broker, new InetSocketAddress(broker.host(), broker.port()));
        }
    }

    /** A coordinator's answer and the coordinator that gave it. */
    public record Answer<T>(T response, BrokerInfo coordinator) {}

    public GroupCoordinatorCalls(MetadataManager metadata, List<InetSocketAddress> bootstrap, Channels channels) {
        this.metadata = metadata;
        this.bootstrap = List.copyOf(bootstrap);
        this.channels = channels;
    }

    /**
     * Calls the coordinator of {@code groupId} until it answers with no error or a final one.
     *
     * @param what    the call in an error message ("describe group g")
     * @param errorOf the response's error for the whole request
     * @throws FerryException        with the broker's code and message for a non-retriable error
     * @throws FerryTimeoutException when no coordinator answered by the deadline
     */
    public <T> T call(
            String what,
            String groupId,
            Function<GroupServiceBlockingStub, T> rpc,
            Function<T, Error> errorOf,
            CallDeadline deadline) {
        return answer(what, groupId, rpc, errorOf, deadline).response();
    }

    /** As {@link #call}, with the coordinator that answered. */
    public <T> Answer<T> answer(
            String what,
            String groupId,
            Function<GroupServiceBlockingStub, T> rpc,
            Function<T, Error> errorOf,
            CallDeadline deadline) {
        FerryException previous = null;
        for (int attempt = 0; ; attempt++) {
            FerryException failure;
            try {
                // Not computeIfAbsent: that would hold a map lock through a blocking FindCoordinator.
                Coordinator coordinator = coordinators.get(groupId);
                if (coordinator == null) {
                    coordinator = new Coordinator(find(groupId, attempt, deadline));
                    coordinators.put(groupId, coordinator);
                }
                T response = rpc.apply(stub(coordinator.address(), deadline));
                Error error = errorOf.apply(response);
                if (error.getCode() == ErrorCode.NONE) {
                    return new Answer<>(response, coordinator.broker());
                }
                failure = new FerryException(error.getCode(), error.getMessage());
            } catch (FerryException e) {
                failure = e;
            } catch (StatusRuntimeException e) {
                failure = AuthenticationFailure.of(what, e);
            }
            if (!failure.retriable()) {
                throw failure;
            }
            if (failure.code() != ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
                // The coordinator moved, or the broker cannot answer for the group: ask where it is now.
                coordinators.remove(groupId);
            }
            if (previous != null && failure instanceof FerryTransportException && deadline.passed()) {
                // Our own deadline cut the attempt short: the earlier error says more.
                failure = previous;
            }
            deadline.backOff(what, failure);
            previous = failure;
        }
    }

    /**
     * One FindCoordinator, asked of a broker chosen by {@code attempt}; its error as an exception. The
     * coordinator is not fenced: a fenced broker leads no {@code __consumer_offsets} partition.
     */
    private BrokerInfo find(String groupId, int attempt, CallDeadline deadline) {
        List<InetSocketAddress> nodes = new ArrayList<>(metadata.view().brokerAddresses());
        nodes.addAll(bootstrap);
        nodes = new ArrayList<>(new LinkedHashSet<>(nodes));
        InetSocketAddress node = nodes.get(attempt % nodes.size());
        FindCoordinatorResponse response;
        try {
            response = stub(node, deadline)
                    .findCoordinator(FindCoordinatorRequest.newBuilder()
                            .setGroupId(groupId)
                            .build());
        } catch (StatusRuntimeException e) {
            throw AuthenticationFailure.of(
                    "find coordinator of group " + groupId + ": broker " + node.getHostString() + ":" + node.getPort()
                            + " failed",
                    e);
        }
        if (response.getError().getCode() != ErrorCode.NONE) {
            throw new FerryException(
                    response.getError().getCode(), response.getError().getMessage());
        }
        return new BrokerInfo(
                response.getNodeId(),
                response.getEndpoint().getHost(),
                response.getEndpoint().getPort(),
                false);
    }

    private GroupServiceBlockingStub stub(InetSocketAddress node, CallDeadline deadline) {
        return GroupServiceGrpc.newBlockingStub(channels.get(node))
                .withDeadlineAfter(deadline.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
    }
}
