package io.ferry.group;

/** One group of a {@link CoordinatorShard}, as ListGroups shows it. */
public record GroupListing(String groupId, GroupState state, int memberCount) {}
