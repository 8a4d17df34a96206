package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.FetchParams;
import io.ferry.replication.FetchPartitionRequest;
import io.ferry.replication.FetchedPartition;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Partitions this broker leads, read through its {@link ReplicaManager} as a consumer Fetch reads them: slices of
 * the log below the high watermark, not copies. A long-poll cannot be withdrawn from the replica manager: a
 * cancelled read's answer releases its leases when it arrives.
 */
final class LocalLeader implements PartitionLeader {

    private final ReplicaManager replicaManager;

    LocalLeader(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    @Override
    public CompletableFuture<Long> listOffset(TopicPartition tp, long timestamp) {
        try {
            return CompletableFuture.completedFuture(
                    replicaManager.listOffset(tp, timestamp).offset());
        } catch (ReplicationException e) {
            return CompletableFuture.failedFuture(
                    new SubscribeRefusal(e.error().code(), e.error().message()));
        }
    }

    @Override
    public CompletableFuture<Map<TopicPartition, ReadAnswer>> fetch(
            List<Position> positions, int maxBytes, long maxWaitMs) {
        List<FetchPartitionRequest> reads = positions.stream()
                .map(p -> new FetchPartitionRequest(p.tp(), p.offset(), maxBytes, -1))
                .toList();
        CompletableFuture<Map<TopicPartition, ReadAnswer>> answer = new CompletableFuture<>();
        replicaManager.fetch(new FetchParams(maxWaitMs, 1, maxBytes), reads, result -> {
            Map<TopicPartition, ReadAnswer> answers = new LinkedHashMap<>();
            result.forEach((tp, fetched) -> answers.put(tp, answerOf(fetched)));
            if (!answer.complete(answers)) {
                answers.values().forEach(a -> a.lease().release());
            }
        });
        return answer;
    }

    private static ReadAnswer answerOf(FetchedPartition fetched) {
        if (fetched.error() != null) {
            fetched.lease().release();
            return ReadAnswer.failed(fetched.error().code(), fetched.error().message());
        }
        return new ReadAnswer(ErrorCode.NONE, "", fetched.records(), fetched.lease());
    }
}
