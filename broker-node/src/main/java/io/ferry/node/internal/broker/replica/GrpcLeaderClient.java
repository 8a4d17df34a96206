package io.ferry.node.internal.broker.replica;

import com.google.common.util.concurrent.MoreExecutors;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.peer.BrokerChannels;
import io.ferry.node.internal.broker.wire.DirectBufferPool;
import io.ferry.node.internal.broker.wire.ReplicaFetchAnswer;
import io.ferry.node.internal.broker.wire.ReplicaFetchAnswerMarshaller;
import io.ferry.node.internal.tls.NodeTls;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.replication.FetchParams;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The follower side of the ReplicaFetch RPC (and ListOffsets to other brokers, see {@link #listOffsets}), on
 * its own {@link BrokerChannels}. Answers are received into
 * pooled direct buffers ({@link ReplicaFetchAnswerMarshaller}): each partition's records are a read-only
 * slice the follower's log writes as it is, and the buffer goes back to the pool once the fetcher has
 * released every partition's lease.
 *
 * <p>A ReplicaFetch answer is taken in and handed over on the transport's thread that read it: the fetcher's
 * callback only queues its next step on the fetcher's own executor, so a hop through gRPC's default executor
 * between the two would add a thread wake-up to every replicated batch's path to the high watermark.
 *
 * <p>It keeps a fetch session with each leader ({@link FollowerFetchSession}): a request names only the partitions
 * whose position moved, and the answer only the partitions with news.
 *
 * <p>Thread-safe: each fetcher thread uses its own leader's channel and session.
 */
public final class GrpcLeaderClient implements LeaderClient, AutoCloseable {

    /**
     * Free direct buffers kept for receiving answers: a fetcher (one per leader) holds one answer at a
     * time, so this keeps the buffers of several leaders' answers of a few MiB each. Beyond it, released
     * buffers are left to the garbage collector.
     */
    private static final long ANSWER_BUFFER_POOL_BYTES = 64L << 20;

    private final BrokerChannels channels;
    private final int maxMessageBytes;
    private final IntConsumer onUnreachable;
    private final MethodDescriptor<ReplicaFetchRequest, ReplicaFetchAnswer> replicaFetch;
    /** Each leader's fetch session, by leader id. */
    private final Map<Integer, FollowerFetchSession> sessions = new ConcurrentHashMap<>();

    /**
     * @param maxMessageBytes largest answer accepted (the fetch byte limits plus room for one oversized batch)
     * @param tls             when the brokers' {@code grpc.listener} serves TLS
     * @param onUnreachable   told a leader's id when a ReplicaFetch to it fails UNAVAILABLE (no connection could
     *                        be made, or it broke), on the transport's thread; must not block
     */
    public GrpcLeaderClient(
            Supplier<BrokerMetadata> metadata, int maxMessageBytes, Optional<NodeTls> tls, IntConsumer onUnreachable) {
        this.channels = new BrokerChannels(metadata, maxMessageBytes, tls);
        this.maxMessageBytes = maxMessageBytes;
        this.onUnreachable = onUnreachable;
        MethodDescriptor<ReplicaFetchRequest, ReplicaFetchResponse> generated =
                BrokerServiceGrpc.getReplicaFetchMethod();
        this.replicaFetch = generated.toBuilder(
                        generated.getRequestMarshaller(),
                        new ReplicaFetchAnswerMarshaller(
                                generated.getResponseMarshaller(), new DirectBufferPool(ANSWER_BUFFER_POOL_BYTES)))
                .build();
    }

    @Override
    public CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> fetch(
            int leaderId,
            int replicaId,
            FetchParams params,
            List<ReplicaFetchPartition> partitions,
            boolean fullRequest,
            long timeoutMs) {
        ManagedChannel channel;
        try {
            channel = channels.channel(leaderId);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        FollowerFetchSession session = sessions.computeIfAbsent(leaderId, id -> new FollowerFetchSession());
        CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = new CompletableFuture<>();
        new Fetch(channel, leaderId, session, replicaId, params, partitions, params.maxWaitMs() + timeoutMs, answer)
                .send(fullRequest, true);
        return answer;
    }

    /** One fetch: a request of {@code session}, and once more in full if the leader refuses the session. */
    private final class Fetch {
        private final ManagedChannel channel;
        private final int leaderId;
        private final FollowerFetchSession session;
        private final int replicaId;
        private final FetchParams params;
        private final List<ReplicaFetchPartition> partitions;
        private final long deadlineMs;
        private final CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer;

        Fetch(
                ManagedChannel channel,
                int leaderId,
                FollowerFetchSession session,
                int replicaId,
                FetchParams params,
                List<ReplicaFetchPartition> partitions,
                long deadlineMs,
                CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer) {
            this.channel = channel;
            this.leaderId = leaderId;
            this.session = session;
            this.replicaId = replicaId;
            this.params = params;
            this.partitions = partitions;
            this.deadlineMs = deadlineMs;
            this.answer = answer;
        }

        /**
         * Sends the request and completes the answer with what comes back.
         *
         * @param resendIfRefused when the leader refuses the session (it restarted, or the session fell out of
         *                        step), send the fetch again at once as a full request, rather than fail it into
         *                        the fetcher's backoff
         */
        void send(boolean full, boolean resendIfRefused) {
            FollowerFetchSession.Request request = session.request(replicaId, params, partitions, full);
            CallOptions options = CallOptions.DEFAULT
                    .withExecutor(MoreExecutors.directExecutor())
                    .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                    .withMaxInboundMessageSize(maxMessageBytes);
            ClientCalls.asyncUnaryCall(
                    channel.newCall(replicaFetch, options),
                    request.message(),
                    new ClientResponseObserver<ReplicaFetchRequest, ReplicaFetchAnswer>() {
                        private boolean answered;

                        @Override
                        public void beforeStart(ClientCallStreamObserver<ReplicaFetchRequest> call) {
                            // Cancelling the answer cancels the call.
                            answer.whenComplete((r, e) -> {
                                if (answer.isCancelled()) {
                                    call.cancel("the replica fetcher stopped", null);
                                }
                            });
                        }

                        @Override
                        public void onNext(ReplicaFetchAnswer received) {
                            answered = true;
                            session.answered(request, received);
                            if (received.sessionRefused()) {
                                received.release();
                                if (resendIfRefused && !answer.isDone()) {
                                    send(true, false);
                                } else {
                                    answer.completeExceptionally(new IOException("broker " + leaderId
                                            + " refused the fetch session of a full request: "
                                            + received.error().getMessage()));
                                }
                            } else if (!answer.complete(received.partitions())) {
                                // Cancelled meanwhile: nobody appends these.
                                received.release();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            session.failed(request);
                            if (Status.fromThrowable(t).getCode() == Status.Code.UNAVAILABLE) {
                                onUnreachable.accept(leaderId);
                            }
                            String why = t instanceof StatusRuntimeException e
                                    ? e.getStatus().toString()
                                    : t.toString();
                            answer.completeExceptionally(
                                    new IOException("ReplicaFetch to broker " + leaderId + " failed: " + why, t));
                        }

                        @Override
                        public void onCompleted() {
                            // Every answered fetch ends here; only one without an answer is worth an exception (and
                            // its stack trace, a measurable cost at a fetch per replicated batch).
                            if (!answered) {
                                session.failed(request);
                                answer.completeExceptionally(new IOException(
                                        "broker " + leaderId + " ended ReplicaFetch without an answer"));
                            }
                        }
                    });
        }
    }

    /**
     * ListOffsets to broker {@code leaderId} on the channel its ReplicaFetch uses: how a broker learns the end
     * offsets of partitions others lead (for consumer lag).
     */
    public CompletableFuture<ListOffsetsResponse> listOffsets(
            int leaderId, ListOffsetsRequest request, long timeoutMs) {
        return channels.call(leaderId, BrokerServiceGrpc.getListOffsetsMethod(), request, timeoutMs);
    }

    @Override
    public void close() {
        channels.close();
    }
}
