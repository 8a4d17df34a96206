package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.EndOffsets;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * End offsets as ListOffsets latest answers them (the high watermark), by the leader the metadata view names:
 * this broker's own replica when it leads the partition, otherwise one ListOffsets call per leader over the
 * channel replication already keeps to it ({@link GrpcLeaderClient#listOffsets}). A partition with no leader,
 * or whose leader refuses or does not answer, is left out of the answer with the reason.
 *
 * <p>Thread-safe.
 */
public final class LeaderEndOffsets implements EndOffsets {

    /** ListOffsets' timestamp for "latest": the high watermark. */
    private static final long LATEST = -1;

    private final int brokerId;
    private final Supplier<BrokerMetadata> metadata;
    private final ReplicaManager replicas;
    private final GrpcLeaderClient leaders;
    private final long timeoutMs;

    /** @param timeoutMs the deadline of each ListOffsets call */
    public LeaderEndOffsets(
            int brokerId,
            Supplier<BrokerMetadata> metadata,
            ReplicaManager replicas,
            GrpcLeaderClient leaders,
            long timeoutMs) {
        this.brokerId = brokerId;
        this.metadata = metadata;
        this.replicas = replicas;
        this.leaders = leaders;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<Answer> latest(Set<TopicPartition> partitions) {
        BrokerMetadata view = metadata.get();
        Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, List<TopicPartition>> byLeader = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            int leader = view.partition(tp.topic(), tp.partition())
                    .map(PartitionRecord::getLeader)
                    .orElse(-1);
            if (leader < 0) {
                failures.add(tp + ": no leader");
            } else if (leader == brokerId) {
                try {
                    offsets.put(tp, replicas.listOffset(tp, LATEST).offset());
                } catch (ReplicationException e) {
                    failures.add(tp + ": " + e.getMessage());
                }
            } else {
                byLeader.computeIfAbsent(leader, l -> new ArrayList<>()).add(tp);
            }
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        byLeader.forEach((leader, tps) -> calls.add(leaders.listOffsets(leader, request(tps), timeoutMs)
                .thenAccept(response -> collect(response, offsets, failures))
                .exceptionally(e -> {
                    failures.add(tps.size() + " partition(s) led by broker " + leader + ": " + e.getMessage());
                    return null;
                })));
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(done -> new Answer(offsets, failures));
    }

    private static ListOffsetsRequest request(List<TopicPartition> partitions) {
        Map<String, ListOffsetsTopic.Builder> topics = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            topics.computeIfAbsent(
                            tp.topic(), t -> ListOffsetsTopic.newBuilder().setTopic(t))
                    .addPartitions(ListOffsetsPartition.newBuilder()
                            .setPartition(tp.partition())
                            .setTimestamp(LATEST));
        }
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        return request.build();
    }

    private static void collect(
            ListOffsetsResponse response, Map<TopicPartition, Long> offsets, List<String> failures) {
        for (ListOffsetsTopicResult topic : response.getTopicsList()) {
            for (ListOffsetsPartitionResult p : topic.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                if (p.getError().getCode() == ErrorCode.NONE) {
                    offsets.put(tp, p.getOffset());
                } else {
                    failures.add(tp + ": " + p.getError().getCode() + " "
                            + p.getError().getMessage());
                }
            }
        }
    }
}
