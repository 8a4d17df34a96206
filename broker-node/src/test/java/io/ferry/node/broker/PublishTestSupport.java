package io.ferry.node.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** RecordService Publish calls for node tests, and the Ferry error a failed call carries in its status details. */
public final class PublishTestSupport {

    private PublishTestSupport() {}

    public static RecordServiceGrpc.RecordServiceBlockingStub records(Channel channel) {
        return RecordServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** A record with this value and no key, partition or timestamp. */
    public static PublishRecord value(String value) {
        return PublishRecord.newBuilder()
                .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8))
                .build();
    }

    public static PublishRecord keyed(String key, String value) {
        return value(value).toBuilder()
                .setKey(ByteString.copyFrom(key, StandardCharsets.UTF_8))
                .build();
    }

    public static PublishRequest request(String topic, Acks acks, PublishRecord... records) {
        PublishRequest.Builder request =
                PublishRequest.newBuilder().setTopic(topic).setAcks(acks).setTimeoutMs(10_000);
        for (PublishRecord record : records) {
            request.addRecords(record);
        }
        return request.build();
    }

    public static PublishResponse publish(Channel channel, PublishRequest request) {
        return records(channel).publish(request);
    }

    /** The ErrorInfo of the status a failed call ended with. */
    public static ErrorInfo errorInfo(StatusRuntimeException failed) throws InvalidProtocolBufferException {
        com.google.rpc.Status status = StatusProto.fromThrowable(failed);
        assertNotNull(status, "the status carries details: " + failed);
        assertEquals(1, status.getDetailsCount(), status.toString());
        return status.getDetails(0).unpack(ErrorInfo.class);
    }

    /** Asserts that {@code request} fails with {@code code} and a Ferry error of {@code reason}; returns the error. */
    public static ErrorInfo assertRefused(Channel channel, PublishRequest request, Status.Code code, String reason)
            throws InvalidProtocolBufferException {
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class, () -> publish(channel, request));
        assertEquals(code, failed.getStatus().getCode(), failed.getStatus().toString());
        ErrorInfo info = errorInfo(failed);
        assertEquals(reason, info.getReason(), info.toString());
        assertEquals("ferry.io", info.getDomain());
        return info;
    }
}
