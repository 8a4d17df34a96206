package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.InternalTopics;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.RecordError;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.security.AclOperation;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;

/**
 * Everything a Publish request must satisfy before any record is partitioned, checked in an order that tells a
 * caller nothing it may not know: the request's own fields, the topic's name, WRITE on the topic, then the
 * topic's existence and each record against it. Each refusal names the field and the value sent. Pure but for
 * the authorizer's record of refusals.
 */
final class PublishChecks {

    /** Most records one request may carry (records.proto). */
    static final int MAX_RECORDS = 10_000;
    /** Most headers one record may carry (records.proto). */
    static final int MAX_HEADERS = 1_000;

    private final BrokerAuthorizer authorizer;

    PublishChecks(BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** Null when {@code request} may be published as {@code caller} against {@code view}, else why not. */
    RecordError refusal(PublishRequest request, BrokerMetadata view, Caller caller) {
        int count = request.getRecordsCount();
        if (count == 0) {
            return invalid("records is empty; send 1 to " + MAX_RECORDS + " records");
        }
        if (count > MAX_RECORDS) {
            return RecordErrors.error(
                    ErrorCode.BATCH_TOO_LARGE,
                    "records has " + count + " records, more than the " + MAX_RECORDS + " one request may carry;"
                            + " split it",
                    null);
        }
        if (Acks.forNumber(request.getAcksValue()) == null) {
            return invalid("acks is " + request.getAcksValue()
                    + "; it must be 0 (unspecified, meaning all), 1 (none), 2 (leader) or 3 (all)");
        }
        if (request.getTimeoutMs() < 0) {
            return invalid("timeout_ms is " + request.getTimeoutMs() + "; it must be 0 (the broker's) or more");
        }
        String topic = request.getTopic();
        try {
            new TopicPartition(topic, 0);
        } catch (InvalidTopicException e) {
            return RecordErrors.error(ErrorCode.INVALID_TOPIC, "topic: " + e.getMessage(), null);
        }
        Error refused = InternalTopics.refused(topic, "publish to");
        if (refused == null) {
            refused = authorizer.topic(caller, AclOperation.WRITE, topic);
        }
        if (refused != null) {
            return RecordErrors.error(refused.getCode(), refused.getMessage(), null);
        }
        TopicRecord known = view.topics().get(topic);
        if (known == null) {
            return RecordErrors.error(
                    ErrorCode.UNKNOWN_TOPIC,
                    "topic '" + topic + "' does not exist; create it first, or retry if it was just created",
                    null);
        }
        for (int i = 0; i < count; i++) {
            RecordError invalid = recordRefusal(i, request.getRecords(i), topic, known.getPartitionCount());
            if (invalid != null) {
                return invalid;
            }
        }
        return null;
    }

    private static RecordError recordRefusal(int index, PublishRecord record, String topic, int partitions) {
        String field = "records[" + index + "].";
        if (record.hasTimestampMs() && record.getTimestampMs() < 0) {
            return RecordErrors.error(
                    ErrorCode.INVALID_TIMESTAMP,
                    field + "timestamp_ms is " + record.getTimestampMs()
                            + "; it must be 0 or more (ms since the epoch), or absent for the broker's clock",
                    null);
        }
        if (record.getHeadersCount() > MAX_HEADERS) {
            return RecordErrors.error(
                    ErrorCode.INVALID_RECORD,
                    field + "headers has " + record.getHeadersCount() + " headers, more than " + MAX_HEADERS,
                    null);
        }
        if (record.hasPartition() && (record.getPartition() < 0 || record.getPartition() >= partitions)) {
            return RecordErrors.error(
                    ErrorCode.UNKNOWN_PARTITION,
                    field + "partition is " + record.getPartition() + "; topic '" + topic + "' has partitions 0 to "
                            + (partitions - 1),
                    null);
        }
        return null;
    }

    private static RecordError invalid(String message) {
        return RecordErrors.error(ErrorCode.INVALID_REQUEST, message, null);
    }
}
