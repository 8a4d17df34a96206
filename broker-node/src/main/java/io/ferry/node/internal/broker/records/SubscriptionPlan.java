package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.handler.GroupRequestChecks;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribePartition;
import io.ferry.proto.v1.SubscribeStart;
import io.ferry.security.AclOperation;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A checked {@link SubscribeStart}: the partitions to deliver, each with where it starts, and the bound on one
 * response's record bytes. Every field the client sent is checked here, before anything is read.
 *
 * @param topicId    the topic's id when the stream started: a topic deleted and created again under its name is
 *                   another topic, whose offsets mean nothing to the stream
 * @param partitions the partitions to deliver from the start; none for a group stream, whose group assigns them
 * @param start      where partitions without their own start begin (a group's: those without a committed offset)
 * @param maxBytes   1 or more: the most record bytes one SubscribeResponse carries
 * @param group      the consumer group the stream is a member of
 */
record SubscriptionPlan(
        String topic,
        String topicId,
        List<PartitionStart> partitions,
        StartPosition start,
        int maxBytes,
        Optional<String> group) {

    /** {@code max_bytes} when the client sends 0. */
    static final int DEFAULT_MAX_BYTES = 1 << 20;

    /** One partition and its checked start position. */
    record PartitionStart(TopicPartition tp, StartPosition start) {}

    /**
     * @param fetchMaxBytes {@code fetch.max.bytes}: the cap on {@code max_bytes}
     * @throws SubscribeRefusal naming the field at fault
     */
    static SubscriptionPlan check(
            SubscribeStart start, BrokerMetadata view, Caller caller, BrokerAuthorizer authorizer, int fetchMaxBytes)
            throws SubscribeRefusal {
        Optional<String> group = start.getGroupId().isEmpty() ? Optional.empty() : Optional.of(start.getGroupId());
        if (group.isPresent()) {
            checkGroup(start, caller, authorizer);
        }
        if (start.getMaxBytes() < 0) {
            throw invalid("max_bytes is " + start.getMaxBytes() + "; it must be 0 (1 MiB) or more");
        }
        String topic = start.getTopic();
        Error denied = authorizer.topic(caller, AclOperation.READ, topic);
        if (denied != null) {
            throw new SubscribeRefusal(denied.getCode(), denied.getMessage());
        }
        if (!view.topics().containsKey(topic)) {
            throw new SubscribeRefusal(ErrorCode.UNKNOWN_TOPIC, "topic '" + topic + "' does not exist");
        }
        checkStart("start", start.getStart());
        List<PartitionStart> partitions = new ArrayList<>();
        if (start.getPartitionsCount() == 0 && group.isEmpty()) {
            for (PartitionRecord p : view.partitionsOf(topic)) {
                partitions.add(new PartitionStart(new TopicPartition(topic, p.getPartition()), start.getStart()));
            }
        }
        Set<Integer> named = new HashSet<>();
        for (int i = 0; i < start.getPartitionsCount(); i++) {
            SubscribePartition p = start.getPartitions(i);
            String field = "partitions[" + i + "]";
            if (!named.add(p.getPartition())) {
                throw invalid(field + ".partition " + p.getPartition() + " is named more than once");
            }
            if (view.partition(topic, p.getPartition()).isEmpty()) {
                throw new SubscribeRefusal(
                        ErrorCode.UNKNOWN_PARTITION,
                        field + ".partition: topic '" + topic + "' has no partition " + p.getPartition());
            }
            checkStart(field + ".start", p.getStart());
            partitions.add(new PartitionStart(
                    new TopicPartition(topic, p.getPartition()), p.hasStart() ? p.getStart() : start.getStart()));
        }
        int maxBytes = start.getMaxBytes() == 0 ? DEFAULT_MAX_BYTES : start.getMaxBytes();
        return new SubscriptionPlan(
                topic,
                view.topics().get(topic).getTopicId(),
                List.copyOf(partitions),
                start.getStart(),
                Math.min(maxBytes, fetchMaxBytes),
                group);
    }

    /** A group stream: a valid group id the caller may READ, and no partitions or offsets of its own. */
    private static void checkGroup(SubscribeStart start, Caller caller, BrokerAuthorizer authorizer)
            throws SubscribeRefusal {
        Error invalidId = GroupRequestChecks.groupId(start.getGroupId());
        if (invalidId != null) {
            throw new SubscribeRefusal(invalidId.getCode(), invalidId.getMessage());
        }
        Error denied = authorizer.group(caller, AclOperation.READ, start.getGroupId());
        if (denied != null) {
            throw new SubscribeRefusal(denied.getCode(), denied.getMessage());
        }
        if (start.getPartitionsCount() > 0) {
            throw invalid("partitions are named with a group_id; the group assigns a member its partitions");
        }
        if (start.getStart().hasOffset()) {
            throw invalid("start.offset is set with a group_id; a member starts each partition at the group's"
                    + " committed offset, else at a boundary or a timestamp");
        }
    }

    private static void checkStart(String field, StartPosition start) throws SubscribeRefusal {
        switch (start.getPositionCase()) {
            case BOUNDARY -> {
                if (start.getBoundary() == StartPosition.Boundary.UNRECOGNIZED) {
                    throw invalid(field + ".boundary " + start.getBoundaryValue()
                            + " is not a StartPosition.Boundary this broker knows");
                }
            }
            case OFFSET -> {
                if (start.getOffset() < 0) {
                    throw invalid(field + ".offset is " + start.getOffset() + "; it must be 0 or more");
                }
            }
            case TIMESTAMP_MS -> {
                if (start.getTimestampMs() < 0) {
                    throw invalid(field + ".timestamp_ms is " + start.getTimestampMs() + "; it must be 0 or more");
                }
            }
            case POSITION_NOT_SET -> {
                // LATEST, as records.proto says.
            }
        }
    }

    private static SubscribeRefusal invalid(String message) {
        return new SubscribeRefusal(ErrorCode.INVALID_REQUEST, message);
    }
}
