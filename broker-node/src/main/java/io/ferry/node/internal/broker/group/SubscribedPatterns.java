package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.GroupDescription;
import io.ferry.group.GroupListing;
import java.util.Set;
import java.util.TreeSet;

/**
 * The subscription patterns the members of groups use, which the topics handed to the group logic must
 * resolve: a group's assignment counts the topics every member subscribes to, by name and by pattern.
 */
public final class SubscribedPatterns {

    private SubscribedPatterns() {}

    /** The patterns of the members of {@code groupId}. */
    public static Set<String> of(CoordinatorShard shard, String groupId) {
        Set<String> patterns = new TreeSet<>();
        shard.describe(groupId).ifPresent(group -> addPatterns(group, patterns));
        return patterns;
    }

    /** The patterns of the members of every group of the shard. */
    static Set<String> of(CoordinatorShard shard) {
        Set<String> patterns = new TreeSet<>();
        for (GroupListing listing : shard.listGroups()) {
            shard.describe(listing.groupId()).ifPresent(group -> addPatterns(group, patterns));
        }
        return patterns;
    }

    private static void addPatterns(GroupDescription group, Set<String> patterns) {
        group.members().forEach(member -> member.subscribedTopicRegex().ifPresent(patterns::add));
    }
}
