package io.ferry.group;

import java.util.Objects;

/**
 * Who a classic member's SyncGroup or Heartbeat says it is: Kafka's classic group protocol, whose members the
 * coordinator keeps as members of a consumer group (KIP-848's classic members), their generation being their
 * member epoch.
 *
 * @param instanceId group.instance.id of a static member; {@code null} for a dynamic one
 */
public record ClassicMember(String groupId, String memberId, String instanceId, int generation) {

    public ClassicMember {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(memberId, "memberId");
    }
}
