package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Kafka's consumer Fetch as Ferry's. Sessionless so far: every answer carries session id 0, which tells
 * kafka-clients that no session was opened, so it sends full requests; a request that names a session gets
 * FETCH_SESSION_ID_NOT_FOUND and starts over with a full one. A replica id in the request is ignored: Kafka's
 * replicas do not fetch from Ferry, and the answer is the consumer's (records below the high watermark).
 * There are no transactions, so the last stable offset is the high watermark.
 */
final class KafkaFetch {

    /** Kafka's session id for "no session". */
    static final int NO_SESSION = 0;

    private KafkaFetch() {}

    /** Whether {@code kafka} asks for a session this broker never gave: it has none to give. */
    static boolean namesASession(FetchRequestData kafka) {
        return kafka.sessionId() != NO_SESSION;
    }

    static FetchRequest request(FetchRequestData kafka) {
        FetchRequest.Builder request = FetchRequest.newBuilder()
                .setMaxWaitMs(Math.max(0, kafka.maxWaitMs()))
                .setMinBytes(Math.max(0, kafka.minBytes()))
                .setMaxBytes(Math.max(0, kafka.maxBytes()));
        for (FetchRequestData.FetchTopic topic : kafka.topics()) {
            FetchTopic.Builder t = FetchTopic.newBuilder().setTopic(topic.topic());
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                t.addPartitions(FetchPartition.newBuilder()
                        .setPartition(p.partition())
                        .setFetchOffset(p.fetchOffset())
                        .setPartitionMaxBytes(p.partitionMaxBytes())
                        .setCurrentLeaderEpoch(p.currentLeaderEpoch()));
            }
            request.addTopics(t);
        }
        return request.build();
    }

    /** The session refusal: a top-level error and no partitions, as Kafka's broker answers it. */
    static FetchResponseData sessionNotFound() {
        return new FetchResponseData()
                .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                .setSessionId(NO_SESSION);
    }

    /**
     * Kafka's answer; its records are the very log slices of {@code ferry} (read-only views, not copies), so
     * it is valid only until the fetch's memory is given back.
     */
    static FetchResponseData response(FetchResponse ferry) {
        List<FetchableTopicResponse> topics = new ArrayList<>();
        for (FetchTopicResult topic : ferry.getTopicsList()) {
            List<PartitionData> partitions = new ArrayList<>();
            for (FetchPartitionResult p : topic.getPartitionsList()) {
                partitions.add(new PartitionData()
                        .setPartitionIndex(p.getPartition())
                        .setErrorCode(KafkaErrors.of(p.getError()).code())
                        .setHighWatermark(p.getHighWatermark())
                        .setLastStableOffset(p.getHighWatermark())
                        .setLogStartOffset(p.getLogStartOffset())
                        .setRecords(MemoryRecords.readableRecords(p.getRecords().asReadOnlyByteBuffer())));
            }
            topics.add(new FetchableTopicResponse().setTopic(topic.getTopic()).setPartitions(partitions));
        }
        return new FetchResponseData()
                .setThrottleTimeMs(ferry.getThrottleTimeMs())
                .setSessionId(NO_SESSION)
                .setResponses(topics);
    }
}
