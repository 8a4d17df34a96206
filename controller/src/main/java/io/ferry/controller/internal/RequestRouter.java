package io.ferry.controller.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.ErrorCode;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Gets a request to the active controller, wherever it runs.
 *
 * <p>Why a Ratis read-only query: requests such as heartbeats change only the active controller's
 * memory and must not be logged, yet a broker may send them to any controller node. A read-only
 * query is routed by the Ratis client to the Raft leader (following NotLeader redirects), where
 * the state machine's {@code query} hands it to the active controller; with Ratis's default read
 * option the leader answers it directly, with no ReadIndex round. That needs no second address per
 * controller node and follows leader changes for free. The unordered API is used on purpose: the
 * ordered one closes its sliding window after a failed request, failing the requests queued
 * behind it, and these requests are independent of each other. While no
 * node is active yet (election in progress, new leader not ready), the router retries every
 * {@link #RETRY_DELAY_MS} ms until the request timeout, then answers NOT_CONTROLLER. A retry is marked
 * as one: the attempt before it may have been applied although its answer was lost.
 *
 * <p>Thread-safe.
 */
public final class RequestRouter {
  static final long RETRY_DELAY_MS = 50;

  private final Supplier<ActiveController> localActive;
  private final RaftClient client;
  private final InstantSource clock;
  private final long timeoutMs;
  private final Executor retryDelay;

  /**
   * @param localActive the active controller on this node, or null when this node is not active
   * @param client a Ratis client of the controller group
   * @param retryExecutor runs the retries
   */
  public RequestRouter(Supplier<ActiveController> localActive, RaftClient client, InstantSource clock, long timeoutMs,
      Executor retryExecutor) {
    this.localActive = localActive;
    this.client = client;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.retryDelay = CompletableFuture.delayedExecutor(RETRY_DELAY_MS, TimeUnit.MILLISECONDS, retryExecutor);
  }

  /** Never completes exceptionally: failures end as a response with {@code not_active} set. */
  public CompletableFuture<ActiveControllerResponse> route(ActiveControllerRequest request) {
    return attempt(request, clock.millis() + timeoutMs);
  }

  private CompletableFuture<ActiveControllerResponse> attempt(ActiveControllerRequest request, long deadlineMs) {
    ActiveController local = localActive.get();
    CompletableFuture<ActiveControllerResponse> once = local != null ? local.handle(request) : forward(request);
    return once.thenCompose(response -> {
      boolean retriable = response.hasNotActive() && response.getNotActive().getCode() == ErrorCode.NOT_CONTROLLER;
      if (!retriable || clock.millis() >= deadlineMs) {
        return CompletableFuture.completedFuture(response);
      }
      ActiveControllerRequest again = request.toBuilder().setRetry(true).build();
      return CompletableFuture.supplyAsync(() -> attempt(again, deadlineMs), retryDelay).thenCompose(f -> f);
    });
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
        return ActiveControllerResponse.parseFrom(r.getMessage().getContent().toByteArray());
      } catch (InvalidProtocolBufferException ex) {
        return unreachable("undecodable answer from the active controller: " + ex.getMessage());
      }
    });
  }

  private static ActiveControllerResponse unreachable(String message) {
    return ActiveControllerResponse.newBuilder().setNotActive(Errors.of(ErrorCode.NOT_CONTROLLER, message)).build();
  }
}
