package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import org.apache.kafka.common.protocol.Errors;

/**
 * Ferry's error codes as Kafka's clients know them. Where Kafka has the same condition under another name
 * (NOT_LEADER is NOT_LEADER_OR_FOLLOWER, CORRUPT_BATCH is CORRUPT_MESSAGE, …) the client reacts as it would to
 * Kafka's broker: retries what Kafka retries, gives up on what Kafka's client gives up on. Ferry's codes for
 * its own protocols (broker registration, ISR changes, fetch sessions between brokers) never reach a Kafka
 * client; they map to UNKNOWN_SERVER_ERROR, which the message beside it (where the API has one) explains.
 */
final class KafkaErrors {

    private KafkaErrors() {}

    static Errors of(Error error) {
        return of(error.getCode());
    }

    static Errors of(ErrorCode code) {
        return switch (code) {
            case NONE -> Errors.NONE;
            case NOT_LEADER, NOT_REPLICA -> Errors.NOT_LEADER_OR_FOLLOWER;
            case UNKNOWN_TOPIC, UNKNOWN_PARTITION -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case INVALID_TOPIC -> Errors.INVALID_TOPIC_EXCEPTION;
            case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
            case NOT_ENOUGH_REPLICAS -> Errors.NOT_ENOUGH_REPLICAS;
            case REQUEST_TIMED_OUT -> Errors.REQUEST_TIMED_OUT;
            case CORRUPT_BATCH -> Errors.CORRUPT_MESSAGE;
            case BATCH_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
            case TOPIC_ALREADY_EXISTS -> Errors.TOPIC_ALREADY_EXISTS;
            case INVALID_REQUEST -> Errors.INVALID_REQUEST;
            case INVALID_PARTITIONS -> Errors.INVALID_PARTITIONS;
            case INVALID_REPLICATION_FACTOR -> Errors.INVALID_REPLICATION_FACTOR;
            case FENCED_LEADER_EPOCH -> Errors.FENCED_LEADER_EPOCH;
            case UNKNOWN_LEADER_EPOCH -> Errors.UNKNOWN_LEADER_EPOCH;
            case NOT_CONTROLLER -> Errors.NOT_CONTROLLER;
            case DUPLICATE_BROKER_REGISTRATION -> Errors.DUPLICATE_BROKER_REGISTRATION;
            case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
            case INVALID_CONFIG -> Errors.INVALID_CONFIG;
            case INVALID_RECORD -> Errors.INVALID_RECORD;
            case INVALID_TIMESTAMP -> Errors.INVALID_TIMESTAMP;
            case NOT_COORDINATOR -> Errors.NOT_COORDINATOR;
            case COORDINATOR_NOT_AVAILABLE -> Errors.COORDINATOR_NOT_AVAILABLE;
            case COORDINATOR_LOAD_IN_PROGRESS -> Errors.COORDINATOR_LOAD_IN_PROGRESS;
            case UNKNOWN_MEMBER_ID -> Errors.UNKNOWN_MEMBER_ID;
            case FENCED_MEMBER_EPOCH -> Errors.FENCED_MEMBER_EPOCH;
            case STALE_MEMBER_EPOCH -> Errors.STALE_MEMBER_EPOCH;
            case UNRELEASED_INSTANCE_ID -> Errors.UNRELEASED_INSTANCE_ID;
            case FENCED_INSTANCE_ID -> Errors.FENCED_INSTANCE_ID;
            case GROUP_MAX_SIZE_REACHED -> Errors.GROUP_MAX_SIZE_REACHED;
            case GROUP_ID_NOT_FOUND -> Errors.GROUP_ID_NOT_FOUND;
            case NON_EMPTY_GROUP -> Errors.NON_EMPTY_GROUP;
            case GROUP_SUBSCRIBED_TO_TOPIC -> Errors.GROUP_SUBSCRIBED_TO_TOPIC;
            case OFFSET_METADATA_TOO_LARGE -> Errors.OFFSET_METADATA_TOO_LARGE;
            case INVALID_GROUP_ID -> Errors.INVALID_GROUP_ID;
            case INVALID_COMMIT_OFFSET_SIZE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            case OUT_OF_ORDER_SEQUENCE_NUMBER -> Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
            case INVALID_PRODUCER_EPOCH -> Errors.INVALID_PRODUCER_EPOCH;
            // Kafka evicts the oldest producer instead of refusing; its client takes this as a lost producer id.
            case TOO_MANY_PRODUCER_IDS -> Errors.UNKNOWN_PRODUCER_ID;
            case OFFSET_NOT_AVAILABLE -> Errors.OFFSET_NOT_AVAILABLE;
            case TOPIC_AUTHORIZATION_FAILED -> Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP_AUTHORIZATION_FAILED -> Errors.GROUP_AUTHORIZATION_FAILED;
            case CLUSTER_AUTHORIZATION_FAILED -> Errors.CLUSTER_AUTHORIZATION_FAILED;
            case UNSUPPORTED_SASL_MECHANISM -> Errors.UNSUPPORTED_SASL_MECHANISM;
            case UNACCEPTABLE_CREDENTIAL -> Errors.UNACCEPTABLE_CREDENTIAL;
            case DUPLICATE_RESOURCE -> Errors.DUPLICATE_RESOURCE;
            case RESOURCE_NOT_FOUND -> Errors.RESOURCE_NOT_FOUND;
            case SASL_AUTHENTICATION_FAILED -> Errors.SASL_AUTHENTICATION_FAILED;
            case FETCH_SESSION_ID_NOT_FOUND -> Errors.FETCH_SESSION_ID_NOT_FOUND;
            case INVALID_FETCH_SESSION_EPOCH -> Errors.INVALID_FETCH_SESSION_EPOCH;
            case ILLEGAL_GENERATION -> Errors.ILLEGAL_GENERATION;
            case REBALANCE_IN_PROGRESS -> Errors.REBALANCE_IN_PROGRESS;
            case UNKNOWN_SERVER_ERROR,
                    STALE_PARTITION_EPOCH,
                    UNKNOWN_BROKER,
                    BROKER_FENCED,
                    IDEMPOTENCY_KEY_REUSED,
                    UNRECOGNIZED -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }
}
