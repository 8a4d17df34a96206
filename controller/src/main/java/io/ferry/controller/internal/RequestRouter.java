package io.ferry.controller.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Gets a request to the active controller, wherever it runs: this node's own, or the Raft leader's.
 *
 * <p>Why a Ratis read-only query: requests such as heartbeats change only the active controller's
 * memory and must not be logged, yet a broker may send them to any controller node. A read-only
 * query is routed by the Ratis client to the Raft leader (following NotLeader redirects), where
 * the state machine's {@code query} hands it to the active controller; with Ratis's default read
 * option the leader answers it directly, with no ReadIndex round. That needs no second address per
 * controller node and follows leader changes for free. The unordered API is used on purpose: the
 * ordered one closes its sliding window after a failed request, failing the requests queued
 * behind it, and these requests are independent of each other.
 *
 * <p>One attempt per request: while no node is active (election in progress, new leader not ready) or
 * the leader cannot be reached, the answer is NOT_CONTROLLER at once. The caller (a broker's
 * controller gateway) holds the one retry loop, with its own deadline and the other controller
 * addresses; a mutating request's idempotency key makes its retry safe.
 *
 * <p>Thread-safe.
 */
public final class RequestRouter {
    private final Supplier<ActiveController> localActive;
    private final RaftClient client;

    /**
     * @param localActive the active controller on this node, or null when this node is not active
     * @param client a Ratis client of the controller group
     */
    public RequestRouter(Supplier<ActiveController> localActive, RaftClient client) {
        this.localActive = localActive;
        this.client = client;
    }

    /** Never completes exceptionally: failures end as a response with {@code error} set. */
    public CompletableFuture<ActiveControllerResponse> route(ActiveControllerRequest request) {
        ActiveController local = localActive.get();
        return local != null ? local.handle(request) : forward(request);
    }

    private CompletableFuture<ActiveControllerResponse> forward(ActiveControllerRequest request) {
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = client.async().sendReadOnlyUnordered(Message.valueOf(ByteString.copyFrom(request.toByteArray())));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((r, e) -> {
            if (e != null || !r.isSuccess()) {
                Throwable cause = e != null ? e : r.getException();
                return unreachable("the active controller could not be reached: " + cause);
            }
            try {
                return ActiveControllerResponse.parseFrom(
                        r.getMessage().getContent().toByteArray());
            } catch (InvalidProtocolBufferException ex) {
                return unreachable("undecodable answer from the active controller: " + ex.getMessage());
            }
        });
    }

    private static ActiveControllerResponse unreachable(String message) {
        return ActiveControllerResponse.newBuilder()
                .setError(Errors.of(ErrorCode.NOT_CONTROLLER, message))
                .build();
    }
}
