package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A 3-controller quorum over loopback, shared by the tests here; each test uses its own broker ids
 * and topic names. Requests go to followers on purpose: they must be forwarded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControllerQuorumTest {
    private static final long SESSION_MS = 3_000;

    private final Map<Integer, String> incarnations = new java.util.concurrent.ConcurrentHashMap<>();
    private ControllerCluster cluster;
    private Heartbeats heartbeats;

    @BeforeAll
    void start() throws Exception {
        cluster = new ControllerCluster(
                3, c -> c.withBrokerSessionTimeoutMs(SESSION_MS).withAutoLeaderRebalance(true, 500));
        cluster.awaitActive();
        heartbeats = new Heartbeats(cluster, List.of(1, 2, 3), 300);
    }

    @AfterAll
    void stop() throws Exception {
        heartbeats.close();
        cluster.close();
    }

    private void register(int brokerId, String incarnation) {
        var response = cluster.stub(cluster.follower())
                .registerBroker(RegisterBrokerRequest.newBuilder()
                        .setBrokerId(brokerId)
                        .setIncarnationId(incarnation)
                        .addEndpoints(Endpoint.newBuilder()
                                .setName("grpc")
                                .setHost("127.0.0.1")
                                .setPort(19000 + brokerId))
                        .build());
        assertEquals(
                ErrorCode.NONE,
                response.getError().getCode(),
                response.getError().getMessage());
        heartbeats.add(brokerId, incarnation);
        incarnations.put(brokerId, incarnation);
    }

    private DescribeClusterResponse describe() {
        return cluster.stub(cluster.awaitActive()).describeCluster(DescribeClusterRequest.getDefaultInstance());
    }

    private Map<Integer, Boolean> fencedByBroker() {
        return describe().getBrokersList().stream()
                .collect(Collectors.toMap(BrokerRegistration::getBrokerId, BrokerRegistration::getFenced));
    }

    private List<PartitionRecord> partitions(String topic) {
        return cluster.stub(cluster.awaitActive())
                .describeTopics(
                        DescribeTopicsRequest.newBuilder().addNames(topic).build())
                .getTopics(0)
                .getPartitionsList();
    }

    private CreateTopicResponse create(String name, int partitions, int rf) {
        return cluster.stub(cluster.follower())
                .createTopic(CreateTopicRequest.newBuilder()
                        .setName(name)
                        .setPartitionCount(partitions)
                        .setReplicationFactor(rf)
                        .build());
    }

    /** One ISR change; a refusal of the whole request is returned as the change's. */
    private PartitionIsrResult alter(int broker, String incarnation, PartitionRecord p, List<Integer> isr) {
        AlterPartitionResponse response = cluster.stub(cluster.follower())
                .alterPartition(AlterPartitionRequest.newBuilder()
                        .setBrokerId(broker)
                        .setIncarnationId(incarnation)
                        .addChanges(PartitionIsrChange.newBuilder()
                                .setTopic(p.getTopic())
                                .setPartition(p.getPartition())
                                .setLeaderEpoch(p.getLeaderEpoch())
                                .setPartitionEpoch(p.getPartitionEpoch())
                                .addAllNewIsr(isr))
                        .build());
        return response.getPartitionsCount() == 1
                ? response.getPartitions(0)
                : PartitionIsrResult.newBuilder().setError(response.getError()).build();
    }

    private MetadataImage image(int node) {
        return cluster.stub(node)
                .fetchMetadata(
                        FetchMetadataRequest.newBuilder().setSinceVersion(-1).build())
                .getImage();
    }

    @Test
    void topicsCreatedThroughAFollowerReachEveryNode() {
        register(1, "b1");
        register(2, "b2");
        await().atMost(ControllerCluster.AWAIT).until(() -> !fencedByBroker().getOrDefault(2, true));
        CreateTopicResponse created = create("everywhere", 4, 2);
        assertEquals(
                ErrorCode.NONE, created.getError().getCode(), created.getError().getMessage());
        assertEquals(4, created.getPartitionsCount());
        long version = cluster.node(cluster.awaitActive()).metadataVersion();
        // Every replica applies the same commands to the same image.
        await().atMost(ControllerCluster.AWAIT)
                .until(() -> List.of(2, 3).stream().allMatch(id -> image(id).equals(image(1))));
        assertTrue(image(1).getVersion() >= version);
        FetchMetadataResponse delta = cluster.stub(cluster.follower())
                .fetchMetadata(FetchMetadataRequest.newBuilder()
                        .setSinceVersion(version - 1)
                        .build());
        assertFalse(delta.hasImage());
        assertTrue(delta.getRecordsList().stream()
                .anyMatch(r -> r.getVersion() == version && r.getRecord().hasCreateTopic()));
        assertEquals(
                ErrorCode.TOPIC_ALREADY_EXISTS,
                create("everywhere", 1, 1).getError().getCode());
    }

    @Test
    void everyNodeDescribesATopicAsSoonAsItsCreationIsAnswered() {
        register(41, "d41");
        await().atMost(ControllerCluster.AWAIT).until(() -> !fencedByBroker().getOrDefault(41, true));
        // A follower applies a change only once the leader's next append says it committed, after the
        // creation was answered: a describe answered from a follower's own state would miss the topic.
        for (int i = 0; i < 5; i++) {
            String name = "read-your-writes-" + i;
            assertEquals(ErrorCode.NONE, create(name, 1, 1).getError().getCode());
            for (int node = 1; node <= 3; node++) {
                var described = cluster.stub(node)
                        .describeTopics(DescribeTopicsRequest.newBuilder()
                                .addNames(name)
                                .build());
                assertEquals(
                        ErrorCode.NONE,
                        described.getTopics(0).getError().getCode(),
                        "node " + node + ": "
                                + described.getTopics(0).getError().getMessage());
            }
        }
    }

    @Test
    void brokerLifecycleMovesLeadershipAndBringsItBack() {
        register(11, "x11");
        register(12, "x12");
        register(13, "x13");
        await().atMost(ControllerCluster.AWAIT).until(() -> {
            Map<Integer, Boolean> f = fencedByBroker();
            return !f.getOrDefault(11, true) && !f.getOrDefault(12, true) && !f.getOrDefault(13, true);
        });
        // Brokers 1 and 2 of the other test may be alive too: pin placement by filling on 11..13 only
        // is not possible, so check per partition whatever placement chose.
        assertEquals(ErrorCode.NONE, create("moving", 12, 3).getError().getCode());
        assertEquals(ErrorCode.NONE, create("solo", 12, 1).getError().getCode());
        List<PartitionRecord> before = partitions("moving");
        List<PartitionRecord> soloBefore = partitions("solo");
        assertTrue(before.stream().anyMatch(p -> p.getLeader() == 11), "placement spreads leaders: " + before);
        assertTrue(soloBefore.stream().anyMatch(p -> p.getLeader() == 11));

        // Broker 11 stops heartbeating: fenced, its leaderships move to ISR members, epochs bumped.
        heartbeats.remove(11);
        await().atMost(ControllerCluster.AWAIT).until(() -> fencedByBroker().get(11));
        Map<Integer, PartitionRecord> after = partitions("moving").stream()
                .collect(Collectors.toMap(PartitionRecord::getPartition, Function.identity()));
        for (PartitionRecord old : before) {
            PartitionRecord now = after.get(old.getPartition());
            assertFalse(now.getIsrList().contains(11), now.toString());
            if (old.getLeader() == 11) {
                assertNotEquals(11, now.getLeader());
                assertTrue(old.getIsrList().contains(now.getLeader()));
                assertEquals(old.getLeaderEpoch() + 1, now.getLeaderEpoch());
                assertEquals(old.getPartitionEpoch() + 1, now.getPartitionEpoch());
            }
        }
        // Its single-replica partitions go offline: unclean election is off.
        for (PartitionRecord p : partitions("solo")) {
            if (p.getReplicas(0) == 11) {
                assertEquals(-1, p.getLeader());
                assertEquals(List.of(11), p.getIsrList());
            }
        }

        // A stale leader is refused: the old leader's epochs no longer count.
        PartitionRecord movedAway =
                before.stream().filter(p -> p.getLeader() == 11).findFirst().orElseThrow();
        assertEquals(
                ErrorCode.BROKER_FENCED,
                alter(11, "x11", movedAway, List.of(11)).getError().getCode());
        PartitionRecord current = after.get(movedAway.getPartition());
        int newLeader = current.getLeader();
        String newLeaderIncarnation = incarnations.get(newLeader);
        assertEquals(
                ErrorCode.FENCED_LEADER_EPOCH,
                alter(
                                newLeader,
                                newLeaderIncarnation,
                                current.toBuilder()
                                        .setLeaderEpoch(movedAway.getLeaderEpoch())
                                        .build(),
                                current.getIsrList())
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.STALE_PARTITION_EPOCH,
                alter(
                                newLeader,
                                newLeaderIncarnation,
                                current.toBuilder()
                                        .setPartitionEpoch(movedAway.getPartitionEpoch())
                                        .build(),
                                current.getIsrList())
                        .getError()
                        .getCode());

        // The broker restarts (new incarnation): unfenced at its first heartbeat, offline partitions return.
        register(11, "x11-restarted");
        await().atMost(ControllerCluster.AWAIT).until(() -> !fencedByBroker().get(11));
        await().atMost(ControllerCluster.AWAIT)
                .until(() -> partitions("solo").stream()
                        .filter(p -> p.getReplicas(0) == 11)
                        .allMatch(p -> p.getLeader() == 11));

        // Once the leader adds it back to the ISR, rebalancing makes it the leader again.
        List<PartitionRecord> preferred11 = new ArrayList<>();
        for (PartitionRecord p : partitions("moving")) {
            if (p.getReplicas(0) == 11) {
                List<Integer> isr = new ArrayList<>(p.getIsrList());
                isr.add(11);
                PartitionIsrResult r = alter(p.getLeader(), incarnations.get(p.getLeader()), p, isr);
                assertEquals(
                        ErrorCode.NONE, r.getError().getCode(), r.getError().getMessage());
                preferred11.add(r.getPartition());
            }
        }
        assertFalse(preferred11.isEmpty());
        await().atMost(ControllerCluster.AWAIT)
                .until(() -> partitions("moving").stream()
                        .filter(p -> p.getReplicas(0) == 11)
                        .allMatch(p -> p.getLeader() == 11));
    }

    @Test
    void aPlannedHandOffMovesLeadershipWithoutLosingRequests() {
        int active = cluster.awaitActive();
        assertFalse(cluster.node(cluster.follower()).handOffLeadership(), "only the leader can hand off");
        assertTrue(cluster.node(active).handOffLeadership());
        await().atMost(ControllerCluster.AWAIT).until(() -> cluster.awaitActive() != active);
        CreateTopicRequest create = CreateTopicRequest.newBuilder()
                .setName("after-hand-off")
                .setPartitionCount(1)
                .setReplicationFactor(1)
                .setIdempotencyKey("after-hand-off")
                .build();
        assertEquals(
                ErrorCode.NONE,
                ControllerCluster.answered(
                                () -> cluster.stub(cluster.follower()).createTopic(create),
                                r -> r.getError().getCode())
                        .getError()
                        .getCode());
    }

    @Test
    void hostileRequestsGetClearErrorsThroughAnyNode() {
        int follower = cluster.follower();
        var stub = cluster.stub(follower);
        BrokerHeartbeatResponse unknown = stub.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                .setBrokerId(999)
                .setIncarnationId("nobody")
                .build());
        assertEquals(ErrorCode.UNKNOWN_BROKER, unknown.getError().getCode());
        // Answered by the active controller, through the follower, which names itself.
        assertEquals(cluster.awaitActive(), unknown.getActiveControllerId());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS, create("bad", -5, 1).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS,
                create("bad", Integer.MAX_VALUE, 1).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_TOPIC, create("a/../../b", 1, 1).getError().getCode());
        CreateTopicResponse tooWide = create("wide", 1, 15);
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, tooWide.getError().getCode());
        assertTrue(
                tooWide.getError().getMessage().contains("live brokers"),
                tooWide.getError().getMessage());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                stub.describeTopics(DescribeTopicsRequest.newBuilder()
                                .addNames("never-created")
                                .build())
                        .getTopics(0)
                        .getError()
                        .getCode());
        var duplicate = stub.registerBroker(RegisterBrokerRequest.newBuilder()
                .setBrokerId(21)
                .setIncarnationId("one")
                .build());
        assertEquals(ErrorCode.NONE, duplicate.getError().getCode());
        heartbeats.add(21, "one"); // stays alive: the shared cluster's other tests may place replicas on it
        incarnations.put(21, "one");
        await().atMost(ControllerCluster.AWAIT).until(() -> !fencedByBroker().getOrDefault(21, true));
        assertEquals(
                ErrorCode.DUPLICATE_BROKER_REGISTRATION,
                stub.registerBroker(RegisterBrokerRequest.newBuilder()
                                .setBrokerId(21)
                                .setIncarnationId("two")
                                .build())
                        .getError()
                        .getCode());
    }
}
