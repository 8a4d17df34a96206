package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.NodeThreads;
import io.ferry.node.internal.broker.controller.ControllerChannel;
import io.ferry.node.internal.broker.controller.ControllerChannel.ControllerUnavailableException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * ISR changes sent to the controller quorum (AlterPartition) on one thread of their own, so a slow or
 * electing quorum never stalls a fetch or the metadata thread. Thread-safe.
 */
public final class ControllerIsrChannel implements AlterPartitionChannel, AutoCloseable {

    private final int brokerId;
    private final Supplier<String> incarnationId;
    private final Supplier<ControllerChannel> controllers;
    private final long timeoutMillis;
    private final ExecutorService thread;

    public ControllerIsrChannel(int brokerId, Supplier<String> incarnationId, Supplier<ControllerChannel> controllers,
                         long timeoutMillis, NodeThreads threads) {
        this.brokerId = brokerId;
        this.incarnationId = incarnationId;
        this.controllers = controllers;
        this.timeoutMillis = timeoutMillis;
        this.thread = threads.single("ferry-alter-partition");
    }

    @Override
    public CompletableFuture<LeaderAndIsr> alterPartition(TopicPartition tp, int leaderEpoch, int partitionEpoch,
                                                          List<Integer> newIsr) {
        CompletableFuture<LeaderAndIsr> result = new CompletableFuture<>();
        thread.execute(() -> {
            ControllerChannel channel = controllers.get();
            if (channel == null) {
                result.completeExceptionally(new ControllerUnavailableException("not connected to the controllers yet"));
                return;
            }
            AlterPartitionRequest request = AlterPartitionRequest.newBuilder().setBrokerId(brokerId)
                    .setIncarnationId(incarnationId.get()).setTopic(tp.topic()).setPartition(tp.partition())
                    .setLeaderEpoch(leaderEpoch).setPartitionEpoch(partitionEpoch).addAllNewIsr(newIsr).build();
            try {
                AlterPartitionResponse response = channel.call("AlterPartition", stub -> stub.alterPartition(request),
                        AlterPartitionResponse::getError, timeoutMillis);
                if (response.getError().getCode() == ErrorCode.NONE) {
                    result.complete(PartitionReconciler.leaderAndIsr(response.getPartition()));
                } else {
                    result.completeExceptionally(new ReplicationException(PartitionError.of(
                            response.getError().getCode(), response.getError().getMessage())));
                }
            } catch (ControllerUnavailableException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
