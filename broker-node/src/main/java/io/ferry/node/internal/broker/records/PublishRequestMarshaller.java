package io.ferry.node.internal.broker.records;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.RecordError;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Receives a {@code PublishRequest} as a {@link ReceivedPublish}, so that a message the generated parser
 * refuses (a header key or topic that is not valid UTF-8: records.proto's strings must be) becomes an
 * INVALID_ARGUMENT naming the field, answered like any refused request (a stream stays open), instead of
 * gRPC's bare INTERNAL "Invalid protobuf byte sequence". Thread-safe.
 */
final class PublishRequestMarshaller implements MethodDescriptor.Marshaller<ReceivedPublish> {

    private static final int REQUEST_ID = 1;
    private static final int TOPIC = 2;
    private static final int RECORDS = 3;
    private static final int RECORD_HEADERS = 3;
    private static final int HEADER_KEY = 1;

    @Override
    public InputStream stream(ReceivedPublish value) {
        if (value.request() == null) {
            throw new IllegalArgumentException("a refused request has no bytes to send");
        }
        return new ByteArrayInputStream(value.request().toByteArray());
    }

    @Override
    public ReceivedPublish parse(InputStream stream) {
        byte[] bytes;
        try {
            bytes = stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return ReceivedPublish.parsed(PublishRequest.parseFrom(bytes), bytes.length);
        } catch (InvalidProtocolBufferException e) {
            return ReceivedPublish.refused(requestId(bytes), refusal(bytes, e), bytes.length);
        }
    }

    private static RecordError refusal(byte[] bytes, InvalidProtocolBufferException e) {
        String field = notUtf8Field(bytes);
        String message = field != null
                ? field + " is not valid UTF-8; records.proto's strings (topic, header keys) must be"
                : "the message is not a valid ferry.v1.PublishRequest: " + e.getMessage();
        return RecordErrors.error(ErrorCode.INVALID_REQUEST, message, null);
    }

    /** The request's {@code request_id}, 0 when the bytes do not get that far. */
    private static long requestId(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == ((REQUEST_ID << 3) | WireFormat.WIRETYPE_VARINT)) {
                    return in.readInt64();
                }
                in.skipField(tag);
            }
        } catch (IOException malformed) {
            // No id to echo: 0, as an absent one.
        }
        return 0;
    }

    /** The first string field whose bytes are not UTF-8 ({@code records[2].headers[0].key}), or null. */
    private static String notUtf8Field(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int record = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == lengthDelimited(TOPIC)) {
                    if (!in.readBytes().isValidUtf8()) {
                        return "topic";
                    }
                } else if (tag == lengthDelimited(RECORDS)) {
                    String header = notUtf8HeaderKey(in.readBytes());
                    if (header != null) {
                        return "records[" + record + "]." + header;
                    }
                    record++;
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException malformed) {
            // Not a string's fault: the caller says the message is malformed.
        }
        return null;
    }

    private static String notUtf8HeaderKey(ByteString record) throws IOException {
        CodedInputStream in = record.newCodedInput();
        int header = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag != lengthDelimited(RECORD_HEADERS)) {
                in.skipField(tag);
                continue;
            }
            CodedInputStream fields = in.readBytes().newCodedInput();
            for (int field = fields.readTag(); field != 0; field = fields.readTag()) {
                if (field != lengthDelimited(HEADER_KEY)) {
                    fields.skipField(field);
                } else if (!fields.readBytes().isValidUtf8()) {
                    return "headers[" + header + "].key";
                }
            }
            header++;
        }
        return null;
    }

    private static int lengthDelimited(int field) {
        return (field << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }
}
