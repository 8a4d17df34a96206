package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupListing;
import io.ferry.group.GroupState;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One group a coordinator of this broker holds, as its lag metrics need it: the state, how many members,
 * and the offset committed for each partition (the next offset the group will consume).
 *
 * @param committed partition to committed offset; a partition with no committed offset is absent
 */
public record CoordinatedGroup(String groupId, GroupState state, int members, Map<TopicPartition, Long> committed) {

    public CoordinatedGroup {
        committed = Map.copyOf(committed);
    }

    /** Every group of {@code shard}. On the shard's coordinator thread. */
    static List<CoordinatedGroup> of(CoordinatorShard shard) {
        List<CoordinatedGroup> groups = new ArrayList<>();
        for (GroupListing listing : shard.listGroups()) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            shard.fetchOffsets(listing.groupId(), Optional.empty())
                    .forEach((tp, offset) ->
                            committed.put(new TopicPartition(tp.topic(), tp.partition()), offset.offset()));
            groups.add(new CoordinatedGroup(listing.groupId(), listing.state(), listing.memberCount(), committed));
        }
        return groups;
    }
}
