package io.ferry.node.internal.broker.replica;

import io.ferry.controller.ControllerNode;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.replication.AlterPartitionChannel;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * ISR changes sent to the controller quorum (AlterPartition) through the {@link ControllerGateway}, batched as
 * Kafka's {@code AlterPartitionManager} batches them: one request in flight at a time, and the changes made
 * meanwhile go together in the next one (up to {@link ControllerNode#MAX_ISR_CHANGES_PER_REQUEST}). After a
 * failover or while logs open, a leader changes thousands of ISRs at once; sent one request each, they queued
 * ahead of the brokers' heartbeats at the controller, which then fenced live brokers (measured at 10,000
 * partitions). Calls wait on no thread, so a slow or electing quorum never stalls a fetch or the metadata thread.
 *
 * <p>Thread-safe: the unsent changes and the in-flight flag are guarded by {@code this}; requests are sent and
 * answered outside it.
 */
public final class ControllerIsrChannel implements AlterPartitionChannel {

    private record Pending(TopicPartition tp, PartitionIsrChange change, CompletableFuture<LeaderAndIsr> result) {}

    private final int brokerId;
    private final Supplier<String> incarnationId;
    private final ControllerGateway controllers;
    private final long timeoutMillis;
    private final int maxChangesPerRequest;
    /** Changes not sent yet, by partition, oldest first. */
    private final LinkedHashMap<TopicPartition, Pending> unsent = new LinkedHashMap<>();

    private boolean inFlight;

    /** @param incarnationId this process's registration identity, which the request carries */
    public ControllerIsrChannel(
            int brokerId, Supplier<String> incarnationId, ControllerGateway controllers, long timeoutMillis) {
        this(brokerId, incarnationId, controllers, timeoutMillis, ControllerNode.MAX_ISR_CHANGES_PER_REQUEST);
    }

    ControllerIsrChannel(
            int brokerId,
            Supplier<String> incarnationId,
            ControllerGateway controllers,
            long timeoutMillis,
            int maxChangesPerRequest) {
        this.brokerId = brokerId;
        this.incarnationId = incarnationId;
        this.controllers = controllers;
        this.timeoutMillis = timeoutMillis;
        this.maxChangesPerRequest = maxChangesPerRequest;
    }

    /**
     * Queues the change for the next request. A change of the same partition still unsent is replaced: it
     * completes exceptionally, as an unanswered one does, and this one goes in its place.
     */
    @Override
    public CompletableFuture<LeaderAndIsr> alterPartition(
            TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        Pending pending = new Pending(
                tp,
                PartitionIsrChange.newBuilder()
                        .setTopic(tp.topic())
                        .setPartition(tp.partition())
                        .setLeaderEpoch(leaderEpoch)
                        .setPartitionEpoch(partitionEpoch)
                        .addAllNewIsr(newIsr)
                        .build(),
                new CompletableFuture<>());
        Pending replaced;
        synchronized (this) {
            replaced = unsent.put(tp, pending);
        }
        if (replaced != null) {
            replaced.result()
                    .completeExceptionally(new IllegalStateException(
                            "an ISR change of " + tp + " was replaced by a newer one before it was sent"));
        }
        sendIfIdle();
        return pending.result();
    }

    /** Sends the unsent changes (the oldest, up to the limit) unless a request is in flight. */
    private void sendIfIdle() {
        List<Pending> batch = new ArrayList<>();
        synchronized (this) {
            if (inFlight || unsent.isEmpty()) {
                return;
            }
            Iterator<Pending> oldest = unsent.values().iterator();
            while (oldest.hasNext() && batch.size() < maxChangesPerRequest) {
                batch.add(oldest.next());
                oldest.remove();
            }
            inFlight = true;
        }
        AlterPartitionRequest request = AlterPartitionRequest.newBuilder()
                .setBrokerId(brokerId)
                .setIncarnationId(incarnationId.get())
                .addAllChanges(batch.stream().map(Pending::change).toList())
                .build();
        controllers
                .call(
                        "AlterPartition",
                        (stub, answer) -> stub.alterPartition(request, answer),
                        AlterPartitionResponse::getError,
                        timeoutMillis)
                .whenComplete((response, failure) -> {
                    synchronized (this) {
                        inFlight = false;
                    }
                    answer(batch, response, failure);
                    sendIfIdle();
                });
    }

    private static void answer(List<Pending> batch, AlterPartitionResponse response, Throwable failure) {
        if (failure == null
                && response.getError().getCode() == ErrorCode.NONE
                && response.getPartitionsCount() != batch.size()) {
            failure = new IllegalStateException("the controller answered " + response.getPartitionsCount()
                    + " results for " + batch.size() + " ISR changes");
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<LeaderAndIsr> result = batch.get(i).result();
            if (failure != null) {
                result.completeExceptionally(failure);
            } else if (response.getError().getCode() != ErrorCode.NONE) {
                result.completeExceptionally(refusal(response.getError()));
            } else {
                PartitionIsrResult r = response.getPartitions(i);
                if (r.getError().getCode() == ErrorCode.NONE) {
                    result.complete(PartitionReconciler.leaderAndIsr(r.getPartition()));
                } else {
                    result.completeExceptionally(refusal(r.getError()));
                }
            }
        }
    }

    private static ReplicationException refusal(io.ferry.proto.v1.Error error) {
        return new ReplicationException(PartitionError.of(error.getCode(), error.getMessage()));
    }
}
