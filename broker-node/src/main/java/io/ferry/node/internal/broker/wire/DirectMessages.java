package io.ferry.node.internal.broker.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * What the marshallers that receive a message off the heap share ({@link ProduceRequestMarshaller} on the
 * leader, {@link ReplicaFetchAnswerMarshaller} on a follower): the copy of the message from the transport's
 * buffers into a pooled direct buffer, and the generated parser's rule for fields a schema does not know.
 * Parsing then happens in that buffer, and the record bytes are slices of it: protobuf's {@code ByteString}
 * copies a direct buffer it is asked to wrap, so record bytes are kept out of the messages.
 */
final class DirectMessages {

    /** Bytes copied per step when the transport's stream offers no buffer to copy from directly. */
    private static final int CHUNK_BYTES = 64 * 1024;

    private DirectMessages() {}

    /**
     * The whole message in a direct buffer from {@code buffers}, position 0 to limit. A {@link KnownLength}
     * stream (gRPC's, for an uncompressed message) says how long the message is, and its
     * {@link HasByteBuffer} chunks are views of the transport's buffers, copied straight across; any
     * other stream (a compressed message, whose size gRPC bounds while inflating) is read to its end
     * first. On failure the buffer goes back to the pool.
     */
    static ByteBuffer copyToDirect(InputStream stream, DirectBufferPool buffers) throws IOException {
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
            throw new IOException("the stream ended " + message.remaining() + " bytes before the " + message.limit()
                    + " bytes it announced");
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
     * The slice of {@code message} that the length-delimited field {@code in} is at holds (its length was
     * read, its bytes not yet), as a writable view; {@code in} moves past it. {@code in} must read
     * {@code message} from position 0.
     */
    static ByteBuffer bytesField(CodedInputStream in, ByteBuffer message) throws IOException {
        int length = in.readRawVarint32();
        if (length < 0) {
            throw new InvalidProtocolBufferException("a bytes field claims a negative size");
        }
        int start = in.getTotalBytesRead();
        in.skipRawBytes(length);
        return message.slice(start, length);
    }

    /** Keeps a field this schema does not know, as the generated parser does; an end-group tag ends nothing here. */
    static void unknownField(int tag, CodedInputStream in, UnknownFieldSet.Builder unknown) throws IOException {
        if (!unknown.mergeFieldFrom(tag, in)) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
        }
    }
}
