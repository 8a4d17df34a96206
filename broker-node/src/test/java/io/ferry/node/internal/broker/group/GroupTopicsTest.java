package io.ferry.node.internal.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.ExpiredMember;
import io.ferry.group.ExpiryResult;
import io.ferry.group.GroupConfig;
import io.ferry.group.GroupError;
import io.ferry.group.HeartbeatRequest;
import io.ferry.group.HeartbeatResponse;
import io.ferry.group.OffsetConfig;
import io.ferry.group.PartitionAssignor;
import io.ferry.group.TopicsImage;
import io.ferry.group.Write;
import io.ferry.node.internal.broker.authz.AuthorizationDenials;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.security.Principal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Which topics a group's pattern resolves to with the authorizer on: alice may DESCRIBE only orders-a, admin is a
 * super user, and both subscribe with {@code orders-.*} while orders-a and orders-b exist.
 */
class GroupTopicsTest {

    private static final String PATTERN = "orders-.*";
    private static final Caller ALICE = new Caller(Principal.user("alice"), "10.0.0.7");
    private static final Caller ADMIN = new Caller(Principal.user("admin"), "10.0.0.8");

    private final AtomicReference<BrokerMetadata> view = new AtomicReference<>(view(1, describe("alice", "orders-a")));
    private final CoordinatorShard shard = new CoordinatorShard(
            new GroupConfig(45_000, 5_000, 10, PartitionAssignor.uniform(), GroupConfig.NO_DISCONNECT_GRACE),
            new OffsetConfig(60_000, 64));
    private final List<String> denials = new ArrayList<>();
    private GroupTopics topics = new GroupTopics(
            new ClusterTopics(view::get),
            BrokerAuthorizer.overAcls(
                    view::get,
                    Set.of(ADMIN.principal()),
                    false,
                    new AuthorizationDenials(
                            new SimpleMeterRegistry(), new RefusalLog(0, System::nanoTime), denials::add)));

    private static BrokerMetadata view(long version, AclBinding... acls) {
        Map<String, TopicRecord> topics = Map.of(
                "orders-a",
                        TopicRecord.newBuilder()
                                .setName("orders-a")
                                .setPartitionCount(1)
                                .build(),
                "orders-b",
                        TopicRecord.newBuilder()
                                .setName("orders-b")
                                .setPartitionCount(2)
                                .build());
        Map<String, AclBinding> byId = new HashMap<>();
        for (int i = 0; i < acls.length; i++) {
            byId.put("acl-" + i, acls[i]);
        }
        return new BrokerMetadata(version, Map.of(), topics, Map.of(), byId);
    }

    private static AclBinding describe(String user, String topic) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(topic)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal("User:" + user)
                .setHost("*")
                .setOperation(AclOperation.ACL_OPERATION_DESCRIBE)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    /** What the pattern resolves to for a member joining with it from {@code caller}. */
    private Set<String> resolvedForJoining(Caller caller) {
        return topics.forHeartbeat(shard, "g", "m1", PATTERN, caller)
                .regexMatches()
                .get(PATTERN);
    }

    /** What the pattern resolves to for a heartbeat of {@code member} (sending no pattern) from {@code caller}. */
    private Set<String> resolvedFor(String member, Caller caller) {
        return topics.forHeartbeat(shard, "g", member, null, caller)
                .regexMatches()
                .get(PATTERN);
    }

    /** A member joins with the pattern, as the handler runs it: resolve, decide, remember, replay. */
    private void join(String member, Caller caller) {
        Write<HeartbeatResponse> decided = shard.heartbeat(
                new HeartbeatRequest("g", member, 0, null, 30_000, "c", "h", null, PATTERN, List.of()),
                new Object(),
                topics.forHeartbeat(shard, "g", member, PATTERN, caller),
                0);
        topics.answered("g", decided.response(), caller);
        decided.records().forEach(shard::replay);
    }

    @Test
    void aPatternResolvesToTheTopicsTheMembersPrincipalMayDescribe() {
        assertEquals(Set.of("orders-a"), resolvedForJoining(ALICE));
        assertEquals(Set.of("orders-a", "orders-b"), resolvedForJoining(ADMIN), "a super user may see all");
        assertEquals(List.of(), denials, "leaving a topic out is not a refusal");

        view.set(view(2, describe("alice", "orders-a"), describe("alice", "orders-b")));
        assertEquals(Set.of("orders-a", "orders-b"), resolvedForJoining(ALICE), "a grant counts at once");
    }

    @Test
    void aPatternMembersOfSeveralPrincipalsShareKeepsWhatAllOfThemMayDescribeWhoeverHeartbeats() {
        join("alices", ALICE);
        join("admins", ADMIN);

        assertEquals(Set.of("orders-a"), resolvedFor("admins", ADMIN));
        assertEquals(Set.of("orders-a"), resolvedFor("alices", ALICE));
        assertEquals(
                Set.of("orders-a"), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
    }

    @Test
    void aMemberHeartbeatingUnderAnotherPrincipalCountsOnlyWithThatOne() {
        join("m1", ALICE);
        join("m1", ADMIN);
        assertEquals(
                Set.of("orders-a", "orders-b"),
                topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
    }

    @Test
    void aPatternNoKnownMemberUsesResolvesForTheHeartbeatingMemberAndToNothingInAnExpiryPass() {
        join("alices", ALICE);
        topics.keepGroupsOf(Set.of(), 50); // the coordinator moved away and back

        assertEquals(Set.of(), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
        assertEquals(Set.of("orders-a", "orders-b"), resolvedFor("admins", ADMIN), "as Kafka: the heartbeat's context");
    }

    @Test
    void membersAreForgottenWithTheCoordinatorOfTheirGroup() {
        join("alices", ALICE);
        int partition = OffsetsTopic.partitionFor("g", 50);

        topics.keepGroupsOf(Set.of(partition), 50);
        assertEquals(
                Set.of("orders-a"), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
        topics.keepGroupsOf(Set.of(partition + 1), 50);
        assertEquals(Set.of(), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
    }

    @Test
    void aMemberThatLeftOrWasRemovedIsForgotten() {
        join("alices", ALICE);
        // Its removal not replayed yet: the group still lists it, but it no longer counts.
        topics.answered("g", new HeartbeatResponse("alices", -1, 0, Optional.empty(), GroupError.NONE, ""), ALICE);
        assertEquals(Set.of(), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));

        join("alices", ALICE);
        topics.removed(List.of(new ExpiredMember("g", "alices", ExpiryResult.Reason.SESSION_TIMEOUT)));
        assertEquals(Set.of(), topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
    }

    @Test
    void withTheAuthorizerOffEveryMatchStays() {
        topics = new GroupTopics(new ClusterTopics(view::get), BrokerAuthorizer.allowingEverything());
        join("alices", ALICE);

        assertEquals(Set.of("orders-a", "orders-b"), resolvedFor("alices", ALICE));
        assertEquals(
                Set.of("orders-a", "orders-b"),
                topics.forExpiry(shard, "g").regexMatches().get(PATTERN));
    }

    @Test
    void aGroupWhoseMembersSubscribeByNameOnlyHasNoPatternToResolve() {
        TopicsImage image = topics.forHeartbeat(shard, "g", "m1", null, ALICE);
        assertEquals(Map.of("orders-a", 1, "orders-b", 2), image.partitionCounts());
        assertEquals(Map.of(), image.regexMatches());

        join("alices", ALICE); // a member that takes up a pattern counts with its caller from then on
        assertEquals(Set.of("orders-a"), resolvedFor("admins", ADMIN));
    }
}
