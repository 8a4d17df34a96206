package io.ferry.node.internal.broker.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.ferry.proto.v1.DivergingEpoch;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopicResult;
import io.ferry.replication.PartitionError;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.BufferLease;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.TopicPartition;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Receives a follower's {@code ferry.v1.ReplicaFetchResponse} off the heap, as
 * {@link ProduceRequestMarshaller} receives produce requests on the leader: the message is copied once
 * from the transport's buffers into a direct buffer from a {@link DirectBufferPool} and parsed there, and
 * each partition's records are a read-only slice of that buffer, which the follower's log writes with no
 * further copy. The generated parser would copy them into a heap {@code ByteString}, and the log's write
 * would copy that again into a temporary direct buffer.
 *
 * <p>The answer is the follower's view of it ({@link ReplicaFetchAnswer}): its session fields and one
 * {@link ReplicaFetchResult} per partition answered. Each carries a
 * {@link BufferLease}; the buffer goes back to the pool once every partition's lease was released (the
 * fetcher releases each once the log has appended it). The wire format is the generated parser's, as for
 * produce requests: unknown fields are skipped, malformed bytes fail the call as grpc-java's marshaller
 * fails it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReplicaFetchAnswerMarshaller implements MethodDescriptor.Marshaller<ReplicaFetchAnswer> {

    private static final int RESPONSE_TOPICS = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int RESPONSE_ERROR = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int RESPONSE_SESSION_ID = tag(3, WireFormat.WIRETYPE_VARINT);
    private static final int TOPIC_NAME = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TOPIC_PARTITIONS = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int PARTITION_INDEX = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int PARTITION_ERROR = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int PARTITION_HIGH_WATERMARK = tag(3, WireFormat.WIRETYPE_VARINT);
    private static final int PARTITION_LOG_START_OFFSET = tag(4, WireFormat.WIRETYPE_VARINT);
    private static final int PARTITION_LOG_END_OFFSET = tag(5, WireFormat.WIRETYPE_VARINT);
    private static final int PARTITION_DIVERGING_EPOCH = tag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int PARTITION_RECORDS = tag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private final MethodDescriptor.Marshaller<ReplicaFetchResponse> generated;
    private final DirectBufferPool buffers;

    /**
     * @param generated the generated message marshaller, used to serialize
     * @param buffers   where the direct buffers answers are copied into come from
     */
    public ReplicaFetchAnswerMarshaller(
            MethodDescriptor.Marshaller<ReplicaFetchResponse> generated, DirectBufferPool buffers) {
        this.generated = generated;
        this.buffers = buffers;
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** The answer as the leader sends it (records copied onto the heap). */
    @Override
    public InputStream stream(ReplicaFetchAnswer answer) {
        Map<String, ReplicaFetchTopicResult.Builder> topics = new LinkedHashMap<>();
        answer.partitions().forEach((tp, result) -> {
            ReplicaFetchPartitionResult.Builder partition = ReplicaFetchPartitionResult.newBuilder()
                    .setPartition(tp.partition())
                    .setHighWatermark(result.highWatermark())
                    .setLogStartOffset(result.logStartOffset())
                    .setLogEndOffset(result.logEndOffset())
                    .setRecords(ByteString.copyFrom(result.records().duplicate()));
            if (result.error() != null) {
                partition.setError(Error.newBuilder()
                        .setCode(result.error().code())
                        .setMessage(result.error().message()));
            }
            if (result.divergingEpoch() != null) {
                partition.setDivergingEpoch(DivergingEpoch.newBuilder()
                        .setEpoch(result.divergingEpoch().epoch())
                        .setEndOffset(result.divergingEpoch().endOffset()));
            }
            topics.computeIfAbsent(
                            tp.topic(),
                            t -> ReplicaFetchTopicResult.newBuilder().setTopic(t))
                    .addPartitions(partition);
        });
        ReplicaFetchResponse.Builder response =
                ReplicaFetchResponse.newBuilder().setError(answer.error()).setSessionId(answer.sessionId());
        topics.values().forEach(response::addTopics);
        return generated.stream(response.build());
    }

    @Override
    public ReplicaFetchAnswer parse(InputStream stream) {
        ByteBuffer message;
        try {
            message = DirectMessages.copyToDirect(stream, buffers);
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("could not read the ReplicaFetch answer: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
        List<Parsed> partitions = new ArrayList<>();
        Error.Builder error = Error.newBuilder();
        int sessionId = 0;
        try {
            CodedInputStream in = CodedInputStream.newInstance(message.duplicate());
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == RESPONSE_TOPICS) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    topic(in, message, partitions);
                    in.popLimit(limit);
                } else if (tag == RESPONSE_ERROR) {
                    in.readMessage(error, ExtensionRegistryLite.getEmptyRegistry());
                } else if (tag == RESPONSE_SESSION_ID) {
                    sessionId = in.readInt32();
                } else {
                    skip(tag, in);
                }
            }
            return new ReplicaFetchAnswer(error.build(), sessionId, results(partitions, message));
        } catch (IOException | RuntimeException e) {
            buffers.release(message);
            throw Status.INTERNAL
                    .withDescription("Invalid protobuf byte sequence: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }

    /** Skips a field this follower does not read, as the generated parser would keep it unknown. */
    private static void skip(int tag, CodedInputStream in) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
        }
    }

    /** One partition's fields as parsed; the topic is known once its whole message was read. */
    private static final class Parsed {
        String topic;
        int partition;
        final Error.Builder error = Error.newBuilder();
        long highWatermark;
        long logStartOffset;
        long logEndOffset;
        DivergingEpoch.Builder divergingEpoch;
        ByteBuffer records;
    }

    private static void topic(CodedInputStream in, ByteBuffer message, List<Parsed> partitions) throws IOException {
        String name = "";
        List<Parsed> topicPartitions = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == TOPIC_NAME) {
                name = in.readStringRequireUtf8();
            } else if (tag == TOPIC_PARTITIONS) {
                int limit = in.pushLimit(in.readRawVarint32());
                topicPartitions.add(partition(in, message));
                in.popLimit(limit);
            } else {
                skip(tag, in);
            }
        }
        for (Parsed p : topicPartitions) {
            p.topic = name;
            partitions.add(p);
        }
    }

    private static Parsed partition(CodedInputStream in, ByteBuffer message) throws IOException {
        Parsed p = new Parsed();
        p.records = message.slice(0, 0);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == PARTITION_INDEX) {
                p.partition = in.readInt32();
            } else if (tag == PARTITION_ERROR) {
                in.readMessage(p.error, ExtensionRegistryLite.getEmptyRegistry());
            } else if (tag == PARTITION_HIGH_WATERMARK) {
                p.highWatermark = in.readInt64();
            } else if (tag == PARTITION_LOG_START_OFFSET) {
                p.logStartOffset = in.readInt64();
            } else if (tag == PARTITION_LOG_END_OFFSET) {
                p.logEndOffset = in.readInt64();
            } else if (tag == PARTITION_DIVERGING_EPOCH) {
                p.divergingEpoch = p.divergingEpoch == null ? DivergingEpoch.newBuilder() : p.divergingEpoch;
                in.readMessage(p.divergingEpoch, ExtensionRegistryLite.getEmptyRegistry());
            } else if (tag == PARTITION_RECORDS) {
                // The last occurrence wins, as for any proto3 scalar.
                p.records = DirectMessages.bytesField(in, message);
            } else {
                skip(tag, in);
            }
        }
        return p;
    }

    /**
     * The follower's results, each holding a lease on {@code message}, which goes back to the pool when
     * the last is released. A partition named twice keeps its last answer, the other's lease released at
     * once.
     *
     * @throws io.ferry.storage.InvalidTopicException a topic name no partition can have
     */
    private Map<TopicPartition, ReplicaFetchResult> results(List<Parsed> partitions, ByteBuffer message) {
        List<TopicPartition> names = new ArrayList<>();
        for (Parsed p : partitions) {
            names.add(new TopicPartition(p.topic, p.partition));
        }
        AtomicInteger unreleased = new AtomicInteger(partitions.size());
        Runnable giveBack = () -> {
            if (unreleased.decrementAndGet() == 0) {
                buffers.release(message);
            }
        };
        if (partitions.isEmpty()) {
            buffers.release(message);
        }
        Map<TopicPartition, ReplicaFetchResult> results = new HashMap<>();
        for (int i = 0; i < partitions.size(); i++) {
            Parsed p = partitions.get(i);
            PartitionError error = p.error.getCode() == ErrorCode.NONE
                    ? null
                    : PartitionError.of(p.error.getCode(), p.error.getMessage());
            EpochEndOffset diverging = p.divergingEpoch == null
                    ? null
                    : new EpochEndOffset(
                            Math.max(-1, p.divergingEpoch.getEpoch()), Math.max(-1, p.divergingEpoch.getEndOffset()));
            ReplicaFetchResult result = new ReplicaFetchResult(
                    error,
                    p.highWatermark,
                    p.logStartOffset,
                    p.logEndOffset,
                    diverging,
                    p.records.asReadOnlyBuffer(),
                    BufferLease.once(giveBack));
            ReplicaFetchResult replaced = results.put(names.get(i), result);
            if (replaced != null) {
                replaced.lease().release();
            }
        }
        return results;
    }
}
