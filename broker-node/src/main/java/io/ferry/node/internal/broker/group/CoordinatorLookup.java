package io.ferry.node.internal.broker.group;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;

/**
 * Which broker coordinates a group, from a metadata view: the leader of the {@code __consumer_offsets} partition
 * the group id hashes to. The first lookup of a cluster finds no such topic and has it created. Both
 * FindCoordinator and the brokers' own calls for group streams look coordinators up here, so they always agree.
 */
public final class CoordinatorLookup {

    /**
     * @param coordinator the group's coordinator, alive and reachable; null when there is none now
     * @param unavailable why there is none now (COORDINATOR_NOT_AVAILABLE, retriable); null when found
     */
    public record Found(BrokerRegistration coordinator, String unavailable) {

        public boolean found() {
            return coordinator != null;
        }
    }

    private CoordinatorLookup() {}

    /** @param creation asked to create the offsets topic when {@code view} has none */
    public static Found find(BrokerMetadata view, String groupId, OffsetsTopicCreation creation) {
        TopicRecord topic = view.topics().get(OffsetsTopic.NAME);
        if (topic == null) {
            creation.request(view);
            return new Found(null, OffsetsTopic.NAME + " is being created; retry shortly");
        }
        int partition = OffsetsTopic.partitionFor(groupId, topic.getPartitionCount());
        PartitionRecord record = view.partition(OffsetsTopic.NAME, partition).orElse(null);
        BrokerRegistration leader = record == null ? null : view.brokers().get(record.getLeader());
        if (leader == null || leader.getFenced() || leader.getEndpointsCount() == 0) {
            return new Found(
                    null,
                    OffsetsTopic.NAME + "-" + partition + ", which holds group '" + groupId
                            + "', has no leader that is alive now; retry");
        }
        return new Found(leader, null);
    }
}
