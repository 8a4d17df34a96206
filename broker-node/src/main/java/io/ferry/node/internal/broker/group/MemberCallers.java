package io.ferry.node.internal.broker.group;

import io.ferry.node.internal.broker.authz.Caller;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The caller of each group member's latest accepted heartbeat on this broker: the principal (and host) its
 * subscription pattern is resolved for. Kept in memory only, as Kafka keeps a request's context: a coordinator
 * that just took a group over knows a member once it heartbeats again.
 *
 * <p>Thread-safe: a group's members are remembered and kept on its coordinator's thread; {@link #forget} runs
 * on the metadata thread.
 */
final class MemberCallers {

    private final Map<String, Map<String, Caller>> byGroup = new ConcurrentHashMap<>();

    void remember(String groupId, String memberId, Caller caller) {
        byGroup.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).put(memberId, caller);
    }

    Optional<Caller> of(String groupId, String memberId) {
        return Optional.ofNullable(byGroup.getOrDefault(groupId, Map.of()).get(memberId));
    }

    /** Forgets a member that left or was removed. */
    void forget(String groupId, String memberId) {
        byGroup.computeIfPresent(groupId, (g, members) -> {
            members.remove(memberId);
            return members.isEmpty() ? null : members;
        });
    }

    /** Forgets every member of the group: none of them subscribes with a pattern. */
    void forgetGroup(String groupId) {
        byGroup.remove(groupId);
    }

    /** Forgets the group's members other than {@code memberIds}: those replaced, or never appended. */
    void keepOnly(String groupId, Set<String> memberIds) {
        byGroup.computeIfPresent(groupId, (g, members) -> {
            members.keySet().retainAll(memberIds);
            return members.isEmpty() ? null : members;
        });
    }

    /** Forgets every member of the given groups: those whose coordinator left this broker. */
    void forget(Predicate<String> groupIds) {
        byGroup.keySet().removeIf(groupIds);
    }
}
