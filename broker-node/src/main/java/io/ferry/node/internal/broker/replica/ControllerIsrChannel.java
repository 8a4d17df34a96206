package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.AlterPartitionChannel;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * ISR changes sent to the controller quorum (AlterPartition) through the {@link ControllerGateway}, whose
 * calls wait on no thread, so a slow or electing quorum never stalls a fetch or the metadata thread.
 * Thread-safe.
 */
public final class ControllerIsrChannel implements AlterPartitionChannel {

    private final int brokerId;
    private final Supplier<String> incarnationId;
    private final ControllerGateway controllers;
    private final long timeoutMillis;

    /** @param incarnationId this process's registration identity, which the request carries */
    public ControllerIsrChannel(
            int brokerId, Supplier<String> incarnationId, ControllerGateway controllers, long timeoutMillis) {
        this.brokerId = brokerId;
        this.incarnationId = incarnationId;
        this.controllers = controllers;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletableFuture<LeaderAndIsr> alterPartition(
            TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        AlterPartitionRequest request = AlterPartitionRequest.newBuilder()
                .setBrokerId(brokerId)
                .setIncarnationId(incarnationId.get())
                .setTopic(tp.topic())
                .setPartition(tp.partition())
                .setLeaderEpoch(leaderEpoch)
                .setPartitionEpoch(partitionEpoch)
                .addAllNewIsr(newIsr)
                .build();
        return controllers
                .call(
                        "AlterPartition",
                        (stub, answer) -> stub.alterPartition(request, answer),
                        AlterPartitionResponse::getError,
                        timeoutMillis)
                .thenCompose(response -> {
                    if (response.getError().getCode() == ErrorCode.NONE) {
                        return CompletableFuture.completedFuture(
                                PartitionReconciler.leaderAndIsr(response.getPartition()));
                    }
                    return CompletableFuture.failedFuture(new ReplicationException(PartitionError.of(
                            response.getError().getCode(), response.getError().getMessage())));
                });
    }
}
