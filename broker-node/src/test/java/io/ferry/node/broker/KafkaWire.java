package io.ferry.node.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/** Kafka requests written by hand, for tests that send what no well-behaved client would. */
final class KafkaWire {

    private KafkaWire() {}

    /** Sends one request on a new connection to {@code port} and returns its answer's body (the header read). */
    static ByteBuffer exchange(int port, RequestHeader header, Message body, short version) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            writeFrame(new DataOutputStream(socket.getOutputStream()), serialize(header, body, version));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            ByteBuffer buffer = ByteBuffer.wrap(answer);
            ResponseHeader.parse(buffer, header.apiKey().responseHeaderVersion(version));
            return buffer;
        }
    }

    static void writeFrame(DataOutputStream out, ByteBuffer body) throws IOException {
        out.writeInt(body.remaining());
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        out.write(bytes);
        out.flush();
    }

    static ByteBuffer serialize(RequestHeader header, Message body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.data().size(cache, header.headerVersion()) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        ByteBufferAccessor writer = new ByteBufferAccessor(buffer);
        header.data().write(writer, cache, header.headerVersion());
        body.write(writer, cache, version);
        return buffer.flip();
    }
}
