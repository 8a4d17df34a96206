package io.ferry.node.internal.broker.handler;

import io.ferry.group.TopicPartition;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks of the fields consumer group calls share, before any is used: each returns null when the value is
 * acceptable, else INVALID_REQUEST naming the field and what it may hold.
 */
public final class GroupRequestChecks {

    /** Longest group id (and member or instance id), as the group logic and Kafka's clients allow. */
    static final int MAX_ID_LENGTH = 255;

    /** Most entries of one list of a request: group ids, topic names, or partitions over all topics. */
    static final int MAX_LIST_SIZE = 10_000;

    private GroupRequestChecks() {}

    public static Error groupId(String groupId) {
        if (groupId.isEmpty()) {
            return invalid("group_id is empty; a consumer group needs an id");
        }
        return length("group_id", groupId);
    }

    /** A member or instance id: at most {@link #MAX_ID_LENGTH} characters. */
    static Error length(String field, String value) {
        return value.length() <= MAX_ID_LENGTH
                ? null
                : invalid(field + " is " + value.length() + " characters long; at most " + MAX_ID_LENGTH
                        + " are allowed");
    }

    static Error listSize(String field, int size) {
        return size <= MAX_LIST_SIZE
                ? null
                : invalid(field + " lists " + size + " entries; at most " + MAX_LIST_SIZE + " are allowed");
    }

    /** The partitions a request names, in request order; checked by {@link #partitions(String, List)} first. */
    static Set<TopicPartition> partitionsOf(List<PartitionsByTopic> topics) {
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        for (PartitionsByTopic topic : topics) {
            topic.getPartitionsList().forEach(p -> partitions.add(new TopicPartition(topic.getTopic(), p)));
        }
        return partitions;
    }

    /**
     * At most {@link #MAX_LIST_SIZE} partitions over all topics, none negative, none named twice; topic names
     * are the topics' to check (an unknown or invalid one is answered per partition).
     */
    static Error partitions(String field, List<PartitionsByTopic> topics) {
        long count =
                topics.stream().mapToLong(PartitionsByTopic::getPartitionsCount).sum();
        if (topics.size() > MAX_LIST_SIZE || count > MAX_LIST_SIZE) {
            return invalid(field + " names " + count + " partitions of " + topics.size() + " topics; at most "
                    + MAX_LIST_SIZE + " are allowed");
        }
        Set<TopicPartition> seen = new LinkedHashSet<>();
        for (PartitionsByTopic topic : topics) {
            for (int partition : topic.getPartitionsList()) {
                if (partition < 0) {
                    return invalid(
                            field + ": partition " + partition + " of topic '" + topic.getTopic() + "' is negative");
                }
                if (!seen.add(new TopicPartition(topic.getTopic(), partition))) {
                    return invalid(
                            field + " names partition " + partition + " of topic '" + topic.getTopic() + "' twice");
                }
            }
        }
        return null;
    }

    static Error invalid(String message) {
        return PartitionLookup.error(ErrorCode.INVALID_REQUEST, message);
    }
}
