package io.ferry.node.internal.broker.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives a {@code ferry.v1.ProduceRequest} off the heap: the message is copied once, from the
 * transport's buffers into a direct buffer from a {@link DirectBufferPool}, and parsed there; the
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

    /** Bytes copied per step when the transport's stream offers no buffer to copy from directly. */
    private static final int CHUNK_BYTES = 64 * 1024;

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
            message = copyToDirect(stream, buffers);
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("could not read the produce request: " + e.getMessage())
                    .withCause(e).asRuntimeException();
        }
        try {
            return parse(message, () -> buffers.release(message));
        } catch (InvalidProtocolBufferException e) {
            buffers.release(message);
            throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence: " + e.getMessage())
                    .withCause(e).asRuntimeException();
        }
    }

    /**
     * The whole message in a direct buffer from {@code buffers}, position 0 to limit. A {@link KnownLength}
     * stream (gRPC's, for an uncompressed message) says how long the message is, and its
     * {@link HasByteBuffer} chunks are views of the transport's buffers, copied straight across; any
     * other stream (a compressed message, whose size gRPC bounds while inflating) is read to its end
     * first. On failure the buffer goes back to the pool.
     */
    private static ByteBuffer copyToDirect(InputStream stream, DirectBufferPool buffers) throws IOException {
        if (!(stream instanceof KnownLength)) {
            byte[] all = stream.readAllBytes();
            return buffers.acquire(all.length).put(all).flip();
        }
        ByteBuffer message = buffers.acquire(stream.available());
        try {
            copy(stream, message);
        } catch (IOException | RuntimeException e) {
            buffers.release(message);
            throw e;
        }
        return message.flip();
    }

    /** Fills {@code message} from its position to its limit: chunk by chunk where offered, else by reading. */
    private static void copy(InputStream stream, ByteBuffer message) throws IOException {
        if (stream instanceof HasByteBuffer chunks && chunks.byteBufferSupported()) {
            while (message.hasRemaining()) {
                ByteBuffer chunk = chunks.getByteBuffer();
                if (chunk == null || !chunk.hasRemaining()) {
                    break;
                }
                int n = Math.min(chunk.remaining(), message.remaining());
                message.put(chunk.limit(chunk.position() + n));
                skipFully(stream, n);
            }
        }
        byte[] chunk = message.hasRemaining() ? new byte[Math.min(CHUNK_BYTES, message.remaining())] : null;
        while (message.hasRemaining()) {
            int n = stream.read(chunk, 0, Math.min(chunk.length, message.remaining()));
            if (n < 0) {
                break;
            }
            message.put(chunk, 0, n);
        }
        if (message.hasRemaining()) {
            throw new IOException("the stream ended " + message.remaining() + " bytes before the "
                    + message.limit() + " bytes it announced");
        }
    }

    private static void skipFully(InputStream stream, int n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = stream.skip(left);
            if (skipped <= 0) {
                throw new IOException("the stream would not skip past bytes it had handed out");
            }
            left -= skipped;
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
                    unknownField(tag, in, unknown);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new OffHeapProduceRequest(request.setUnknownFields(unknown.build()).build(), records, recycle);
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
                unknownField(tag, in, unknown);
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
                int length = in.readRawVarint32();
                if (length < 0) {
                    throw new InvalidProtocolBufferException("the records field claims a negative size");
                }
                int start = in.getTotalBytesRead();
                in.skipRawBytes(length);
                // The last occurrence wins, as for any proto3 scalar.
                slice = message.slice(start, length);
            } else {
                unknownField(tag, in, unknown);
            }
        }
        records.add(slice);
        return partition.setUnknownFields(unknown.build()).build();
    }

    /** Keeps a field this schema does not know, as the generated parser does; an end-group tag ends nothing here. */
    private static void unknownField(int tag, CodedInputStream in, UnknownFieldSet.Builder unknown) throws IOException {
        if (!unknown.mergeFieldFrom(tag, in)) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
        }
    }
}
