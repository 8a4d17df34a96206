package io.ferry.node.internal.broker.records;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.Errors;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.RecordError;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Ferry errors as a generic gRPC client understands them: a status code by the error's meaning (UNAVAILABLE
 * for every retriable one), the Ferry error as a {@code google.rpc.ErrorInfo} in the status details, and its
 * code and name again in plain trailers for clients that do not decode details. records.proto documents the
 * shape. Pure functions.
 */
public final class RecordErrors {

    /** {@code ErrorInfo.domain} of every Ferry error. */
    public static final String DOMAIN = "ferry.io";

    public static final Metadata.Key<String> ERROR_CODE_TRAILER =
            Metadata.Key.of("ferry-error-code", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ERROR_NAME_TRAILER =
            Metadata.Key.of("ferry-error-name", Metadata.ASCII_STRING_MARSHALLER);

    private RecordErrors() {}

    public static boolean retriable(ErrorCode code) {
        return code != ErrorCode.UNRECOGNIZED
                && code.getValueDescriptor().getOptions().getExtension(Errors.retriable);
    }

    /** The status code a call failing with {@code code} ends with. */
    public static Status.Code statusCode(ErrorCode code) {
        return switch (code) {
            case UNKNOWN_TOPIC, UNKNOWN_PARTITION, RESOURCE_NOT_FOUND, GROUP_ID_NOT_FOUND -> Status.Code.NOT_FOUND;
            case OFFSET_OUT_OF_RANGE -> Status.Code.OUT_OF_RANGE;
            case TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED ->
                Status.Code.PERMISSION_DENIED;
            case SASL_AUTHENTICATION_FAILED -> Status.Code.UNAUTHENTICATED;
            case BATCH_TOO_LARGE, TOO_MANY_PRODUCER_IDS, GROUP_MAX_SIZE_REACHED -> Status.Code.RESOURCE_EXHAUSTED;
            case TOPIC_ALREADY_EXISTS, DUPLICATE_RESOURCE -> Status.Code.ALREADY_EXISTS;
            case INVALID_TOPIC,
                    INVALID_REQUEST,
                    INVALID_RECORD,
                    INVALID_TIMESTAMP,
                    CORRUPT_BATCH,
                    INVALID_CONFIG,
                    INVALID_PARTITIONS,
                    INVALID_REPLICATION_FACTOR,
                    INVALID_GROUP_ID,
                    OFFSET_METADATA_TOO_LARGE,
                    INVALID_COMMIT_OFFSET_SIZE -> Status.Code.INVALID_ARGUMENT;
            case UNKNOWN_SERVER_ERROR, STORAGE_ERROR -> Status.Code.INTERNAL;
            default -> retriable(code) ? Status.Code.UNAVAILABLE : Status.Code.FAILED_PRECONDITION;
        };
    }

    /** {@code code} with {@code message} and, when known, where the partition's leader is. */
    public static RecordError error(ErrorCode code, String message, LeaderHint leader) {
        RecordError.Builder error = RecordError.newBuilder()
                .setGrpcCode(statusCode(code).value())
                .setCode(code)
                .setRetriable(retriable(code))
                .setMessage(message);
        if (leader != null) {
            error.setLeader(leader);
        }
        return error.build();
    }

    /** The exception that ends a call failing with {@code error}: its status, details and trailers. */
    public static StatusRuntimeException asException(RecordError error) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder()
                .setDomain(DOMAIN)
                .setReason(error.getCode().name())
                .putMetadata("error_code", Integer.toString(error.getCodeValue()))
                .putMetadata("retriable", Boolean.toString(error.getRetriable()));
        if (error.hasLeader() && error.getLeader().getLeaderId() >= 0) {
            LeaderHint leader = error.getLeader();
            info.putMetadata("leader_id", Integer.toString(leader.getLeaderId()))
                    .putMetadata("leader_epoch", Integer.toString(leader.getLeaderEpoch()));
            if (leader.hasEndpoint()) {
                info.putMetadata("leader_host", leader.getEndpoint().getHost())
                        .putMetadata(
                                "leader_port",
                                Integer.toString(leader.getEndpoint().getPort()));
            }
        }
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(error.getGrpcCode())
                .setMessage(error.getMessage())
                .addDetails(Any.pack(info.build()))
                .build();
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE_TRAILER, Integer.toString(error.getCodeValue()));
        trailers.put(ERROR_NAME_TRAILER, error.getCode().name());
        return StatusProto.toStatusRuntimeException(status, trailers);
    }
}
