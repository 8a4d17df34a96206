package io.ferry.node.internal.broker.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives a {@code ferry.v1.ProduceRequest} off the heap: the message is copied once, from the
 * transport's buffers into a direct buffer from a {@link DirectBufferPool}, and parsed there
 * ({@link DirectMessages}); the
 * record bytes are never copied again before the log writes them (see {@link OffHeapProduceRequest},
 * which also says when the buffer goes back to the pool). The generated parser would
 * instead copy every {@code records} field into a heap {@code ByteString}, which the log's positional
 * write then copies once more into a temporary direct buffer inside the JDK.
 *
 * <p>The record bytes are kept out of the message: protobuf's {@code ByteString} copies a direct buffer
 * it is asked to wrap, so aliasing them is not possible.
 *
 * <p>The wire format is the generated parser's, field for field: the same fields by tag and wire type,
 * last value wins for scalars, strings must be UTF-8, a field with an unknown number or an unexpected
 * wire type is kept as an unknown field (so a newer client's extra fields are ignored, as before), and
 * malformed or truncated bytes are refused with the exception grpc-java's protobuf marshaller throws
 * (INTERNAL, "Invalid protobuf byte sequence", here with protobuf's reason), so the call fails as any
 * request that does not parse does: INVALID_ARGUMENT with that reason ({@code MalformedRequests}).
 * The size is bounded before this runs: gRPC refuses a message over {@code maxInboundMessageSize}
 * with RESOURCE_EXHAUSTED without reading it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProduceRequestMarshaller implements MethodDescriptor.Marshaller<OffHeapProduceRequest> {

    // Tags: field number << 3 | wire type, as the generated parser switches on them.
    private static final int REQUEST_CORRELATION_ID = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int REQUEST_ACKS = tag(2, WireFormat.WIRETYPE_VARINT);
    private static final int REQUEST_TIMEOUT_MS = tag(3, WireFormat.WIRETYPE_VARINT);
    private static final int REQUEST_TOPICS = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TOPIC_NAME = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TOPIC_PARTITIONS = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int PARTITION_INDEX = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int PARTITION_RECORDS = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private final MethodDescriptor.Marshaller<ProduceRequest> generated;
    private final DirectBufferPool buffers;

    /**
     * @param generated the generated message marshaller, used to serialize (clients and in-process calls)
     * @param buffers   where the direct buffers requests are copied into come from
     */
    public ProduceRequestMarshaller(MethodDescriptor.Marshaller<ProduceRequest> generated, DirectBufferPool buffers) {
        this.generated = generated;
        this.buffers = buffers;
    }

    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    @Override
    public InputStream stream(OffHeapProduceRequest value) {
        return generated.stream(value.withRecords());
    }

    @Override
    public OffHeapProduceRequest parse(InputStream stream) {
        ByteBuffer message;
        try {
            message = DirectMessages.copyToDirect(stream, buffers);
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("could not read the produce request: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
        try {
            return parse(message, () -> buffers.release(message));
        } catch (InvalidProtocolBufferException e) {
            buffers.release(message);
            throw Status.INTERNAL
                    .withDescription("Invalid protobuf byte sequence: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }

    /**
     * Parses {@code message} (a direct buffer, position 0) in place: the record slices alias it, and
     * the message's {@code records} fields are left empty.
     */
    private static OffHeapProduceRequest parse(ByteBuffer message, Runnable recycle)
            throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(message.duplicate());
        List<ByteBuffer> records = new ArrayList<>();
        ProduceRequest.Builder request = ProduceRequest.newBuilder();
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == REQUEST_CORRELATION_ID) {
                    request.setCorrelationId(in.readInt64());
                } else if (tag == REQUEST_ACKS) {
                    request.setAcksValue(in.readEnum());
                } else if (tag == REQUEST_TIMEOUT_MS) {
                    request.setTimeoutMs(in.readInt32());
                } else if (tag == REQUEST_TOPICS) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    request.addTopics(topic(in, message, records));
                    in.popLimit(limit);
                } else {
                    DirectMessages.unknownField(tag, in, unknown);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new OffHeapProduceRequest(
                request.setUnknownFields(unknown.build()).build(), records, recycle);
    }

    private static TopicProduceData topic(CodedInputStream in, ByteBuffer message, List<ByteBuffer> records)
            throws IOException {
        TopicProduceData.Builder topic = TopicProduceData.newBuilder();
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == TOPIC_NAME) {
                topic.setTopic(in.readStringRequireUtf8());
            } else if (tag == TOPIC_PARTITIONS) {
                int limit = in.pushLimit(in.readRawVarint32());
                topic.addPartitions(partition(in, message, records));
                in.popLimit(limit);
            } else {
                DirectMessages.unknownField(tag, in, unknown);
            }
        }
        return topic.setUnknownFields(unknown.build()).build();
    }

    /** One partition's data; its records slice is added to {@code records} (a partition with none gets an empty one). */
    private static PartitionProduceData partition(CodedInputStream in, ByteBuffer message, List<ByteBuffer> records)
            throws IOException {
        PartitionProduceData.Builder partition = PartitionProduceData.newBuilder();
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        ByteBuffer slice = message.slice(0, 0);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == PARTITION_INDEX) {
                partition.setPartition(in.readInt32());
            } else if (tag == PARTITION_RECORDS) {
                // The last occurrence wins, as for any proto3 scalar.
                slice = DirectMessages.bytesField(in, message);
            } else {
                DirectMessages.unknownField(tag, in, unknown);
            }
        }
        records.add(slice);
        return partition.setUnknownFields(unknown.build()).build();
    }
}
