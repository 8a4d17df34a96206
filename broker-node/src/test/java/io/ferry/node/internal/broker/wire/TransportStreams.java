package io.ferry.node.internal.broker.wire;

import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/** The streams gRPC hands a marshaller's {@code parse}, for tests of the off-heap marshallers. */
final class TransportStreams {

    /** How a stream presents the message: as gRPC's Netty transport does, as a plain stream, or in between. */
    enum Kind {
        TRANSPORT_CHUNKS,
        KNOWN_LENGTH_ONLY,
        PLAIN
    }

    private TransportStreams() {}

    /** As gRPC's Netty transport hands a message over. */
    static InputStream chunked(byte[] message, long seed) {
        return of(message, Kind.TRANSPORT_CHUNKS, seed);
    }

    static InputStream of(byte[] message, Kind kind, long seed) {
        return switch (kind) {
            case TRANSPORT_CHUNKS -> new ChunkedStream(message, seed, true);
            case KNOWN_LENGTH_ONLY -> new ChunkedStream(message, seed, false);
            case PLAIN -> new ByteArrayInputStream(message);
        };
    }

    /**
     * gRPC's stream over the transport's buffers: known length, and the bytes handed out as read-only
     * direct chunks of varying size (Netty's composite of received frames).
     */
    static class ChunkedStream extends InputStream implements KnownLength, HasByteBuffer {
        private final ByteBuffer bytes;
        private final Random random;
        private final boolean offersBuffers;

        ChunkedStream(byte[] message, long seed, boolean offersBuffers) {
            this.bytes = ByteBuffer.allocateDirect(message.length).put(message).flip();
            this.random = new Random(seed);
            this.offersBuffers = offersBuffers;
        }

        @Override
        public int read() {
            return bytes.hasRemaining() ? bytes.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!bytes.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, Math.min(bytes.remaining(), 1 + random.nextInt(4096)));
            bytes.get(b, off, n);
            return n;
        }

        @Override
        public long skip(long n) {
            int skipped = (int) Math.min(n, bytes.remaining());
            bytes.position(bytes.position() + skipped);
            return skipped;
        }

        @Override
        public int available() {
            return bytes.remaining();
        }

        @Override
        public boolean byteBufferSupported() {
            return offersBuffers;
        }

        @Override
        public ByteBuffer getByteBuffer() {
            if (!bytes.hasRemaining()) {
                return null;
            }
            int n = Math.min(bytes.remaining(), 1 + random.nextInt(8192));
            return bytes.slice(bytes.position(), n).asReadOnlyBuffer();
        }
    }
}
