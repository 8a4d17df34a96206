package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.group.OffsetsTopic;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;

/**
 * What clients may not do to {@code __consumer_offsets}: produce to it, delete its records, create, delete or
 * grow it. Only group coordinators write its records, and the partition a group lives in depends on its
 * partition count, fixed at creation. Clients may read it.
 */
public final class InternalTopics {

    private InternalTopics() {}

    /**
     * INVALID_TOPIC naming the topic if it is internal, else null.
     *
     * @param action what the client asked, as a verb phrase ("produce to")
     */
    public static Error refused(String topic, String action) {
        return OffsetsTopic.isInternal(topic)
                ? PartitionLookup.error(
                        ErrorCode.INVALID_TOPIC,
                        "cannot " + action + " topic '" + topic + "': it is internal, written only by the"
                                + " consumer group coordinators (clients may read it)")
                : null;
    }
}
