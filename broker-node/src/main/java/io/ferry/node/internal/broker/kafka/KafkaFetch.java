package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Kafka's consumer Fetch as Ferry's, within a fetch session ({@link KafkaFetchSessions}) when the consumer
 * keeps one: the partitions read are the session's, and an incremental answer lists only those with news. A
 * replica id in the request is ignored: Kafka's replicas do not fetch from Ferry, and the answer is the
 * consumer's (records below the high watermark). There are no transactions, so the last stable offset is the
 * high watermark.
 */
final class KafkaFetch {

    /** Kafka's session id for "no session". */
    static final int NO_SESSION = 0;

    private KafkaFetch() {}

    /** Ferry's fetch of every partition {@code plan} reads, grouped by topic in the order they come. */
    static FetchRequest request(FetchRequestData kafka, KafkaFetchSessions.Plan plan) {
        FetchRequest.Builder request = FetchRequest.newBuilder()
                .setMaxWaitMs(Math.max(0, kafka.maxWaitMs()))
                .setMinBytes(Math.max(0, kafka.minBytes()))
                .setMaxBytes(Math.max(0, kafka.maxBytes()));
        Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
        for (KafkaFetchSessions.Read read : plan.reads()) {
            topics.computeIfAbsent(
                            read.key().topic(), t -> FetchTopic.newBuilder().setTopic(t))
                    .addPartitions(FetchPartition.newBuilder()
                            .setPartition(read.key().partition())
                            .setFetchOffset(read.fetchOffset())
                            .setPartitionMaxBytes(read.maxBytes())
                            .setCurrentLeaderEpoch(read.leaderEpoch()));
        }
        topics.values().forEach(request::addTopics);
        return request.build();
    }

    /** A refusal of the whole request (an unknown session, a wrong epoch): no partitions, as Kafka answers it. */
    static FetchResponseData refused(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(NO_SESSION);
    }

    /**
     * Kafka's answer: every partition of a full fetch, the partitions with news of an incremental one. Its
     * records are the very log slices of {@code ferry} (read-only views, not copies), so it is valid only until
     * the fetch's memory is given back.
     */
    static FetchResponseData response(FetchResponse ferry, KafkaFetchSessions.Plan plan, KafkaFetchSessions sessions) {
        List<FetchableTopicResponse> topics = new ArrayList<>();
        for (FetchTopicResult topic : ferry.getTopicsList()) {
            List<PartitionData> partitions = new ArrayList<>();
            for (FetchPartitionResult p : topic.getPartitionsList()) {
                Errors error = KafkaErrors.of(p.getError());
                boolean news = error != Errors.NONE || !p.getRecords().isEmpty();
                if (!sessions.tell(
                        plan,
                        new KafkaFetchSessions.Key(topic.getTopic(), p.getPartition()),
                        p.getHighWatermark(),
                        p.getLogStartOffset(),
                        news)) {
                    continue;
                }
                partitions.add(new PartitionData()
                        .setPartitionIndex(p.getPartition())
                        .setErrorCode(error.code())
                        .setHighWatermark(p.getHighWatermark())
                        .setLastStableOffset(p.getHighWatermark())
                        .setLogStartOffset(p.getLogStartOffset())
                        .setRecords(MemoryRecords.readableRecords(p.getRecords().asReadOnlyByteBuffer())));
            }
            if (!partitions.isEmpty()) {
                topics.add(
                        new FetchableTopicResponse().setTopic(topic.getTopic()).setPartitions(partitions));
            }
        }
        return new FetchResponseData()
                .setThrottleTimeMs(ferry.getThrottleTimeMs())
                .setSessionId(plan.sessionId())
                .setResponses(topics);
    }
}
