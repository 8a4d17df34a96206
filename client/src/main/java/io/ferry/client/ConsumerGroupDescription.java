package io.ferry.client;

import java.util.List;

/**
 * A consumer group as its coordinator describes it.
 *
 * @param groupEpoch   the epoch of the group's membership and subscriptions
 * @param assignorName the server-side assignor: uniform or range
 * @param coordinator  the broker that answered as the group's coordinator (not fenced: a fenced broker
 *                     coordinates no group)
 */
public record ConsumerGroupDescription(
        String groupId,
        String state,
        int groupEpoch,
        String assignorName,
        List<MemberDescription> members,
        BrokerInfo coordinator) {}
