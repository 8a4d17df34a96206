package io.ferry.client;

import java.util.Optional;
import java.util.Set;

/**
 * A member of a consumer group as its coordinator describes it.
 *
 * @param instanceId the {@code group.instance.id} of a static member
 * @param host       the address the member's last heartbeat came from
 * @param assignment the partitions the member owns now
 */
public record MemberDescription(
        String memberId,
        Optional<String> instanceId,
        String clientId,
        String host,
        int memberEpoch,
        Set<TopicPartition> assignment) {}
