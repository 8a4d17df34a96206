package io.ferry.controller.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.controller.ControllerConfig;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The active controller's decisions, with a hand-moved clock and no Raft: commands apply directly. */
class ActiveControllerTest {
    private static final long SESSION_MS = 1_000;

    private final MetadataState state = new MetadataState(10_000);
    private final ManualClock clock = new ManualClock();
    private final List<ControllerCommand> log = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> fatalErrors = Collections.synchronizedList(new ArrayList<>());
    /** When set, the proposer throws it instead of applying a command. */
    private volatile java.lang.Error proposalError;
    /** When set, commands are applied only once it completes. */
    private volatile CompletableFuture<Void> commitsHeld;
    /** Liveness probes asked for, by port; each answers when its future is completed (false by default). */
    private final Map<Integer, CompletableFuture<Boolean>> probes = new java.util.concurrent.ConcurrentHashMap<>();
    /** Ports whose probe answers "refused" at once. */
    private final java.util.Set<Integer> refusedPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When set, probes wait for the test to complete them. */
    private volatile boolean probesHeld;

    private ActiveController controller;
    private long term;

    private void start(UnaryOperator<ControllerConfig> tune) {
        if (controller != null) {
            controller.close();
        }
        ControllerConfig config = tune.apply(ControllerConfig.of(0, Map.of(0, "127.0.0.1:1"), Path.of("unused"))
                .withBrokerSessionTimeoutMs(SESSION_MS)
                .withAutoLeaderRebalance(true, 3_600_000));
        term++;
        controller = ActiveController.start(
                term,
                state,
                command -> {
                    if (proposalError != null) {
                        throw proposalError;
                    }
                    log.add(command);
                    CompletableFuture<Void> held = commitsHeld;
                    return held == null
                            ? CompletableFuture.completedFuture(state.apply(command, command.getLeaderTerm()))
                            : held.thenApply(v -> state.apply(command, command.getLeaderTerm()));
                },
                clock,
                config,
                new SimpleMeterRegistry().counter("elections"),
                (host, port) -> {
                    CompletableFuture<Boolean> answer = new CompletableFuture<>();
                    probes.put(port, answer);
                    if (!probesHeld) {
                        answer.complete(refusedPorts.contains(port));
                    }
                    return answer;
                },
                (thread, error) -> fatalErrors.add(error));
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private ActiveControllerResponse send(ActiveControllerRequest request) throws Exception {
        return controller.handle(request).get(10, TimeUnit.SECONDS);
    }

    private Error register(int id, String incarnation) throws Exception {
        return send(ActiveControllerRequest.newBuilder()
                        .setRegisterBroker(RegisterBrokerRequest.newBuilder()
                                .setBrokerId(id)
                                .setIncarnationId(incarnation)
                                .addEndpoints(Endpoint.newBuilder()
                                        .setName("grpc")
                                        .setHost("127.0.0.1")
                                        .setPort(9000 + id)))
                        .build())
                .getRegisterBroker()
                .getError();
    }

    private BrokerHeartbeatResponse heartbeat(int id, String incarnation, Integer... unreachable) throws Exception {
        return send(ActiveControllerRequest.newBuilder()
                        .setBrokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                                .setBrokerId(id)
                                .setIncarnationId(incarnation)
                                .addAllUnreachableBrokers(List.of(unreachable)))
                        .build())
                .getBrokerHeartbeat();
    }

    private CreateTopicResponse create(String name, int partitions, int rf) throws Exception {
        return send(ActiveControllerRequest.newBuilder()
                        .setCreateTopic(CreateTopicRequest.newBuilder()
                                .setName(name)
                                .setPartitionCount(partitions)
                                .setReplicationFactor(rf))
                        .build())
                .getCreateTopic();
    }

    private Error alterConfigs(String topic, String key, String value) throws Exception {
        return send(ActiveControllerRequest.newBuilder()
                        .setAlterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                                .setName(topic)
                                .putSet(key, value))
                        .build())
                .getAlterTopicConfigs()
                .getError();
    }

    /** One ISR change; a refusal of the whole request is returned as the change's. */
    private PartitionIsrResult alter(int broker, PartitionRecord p, List<Integer> isr) throws Exception {
        AlterPartitionResponse response = send(ActiveControllerRequest.newBuilder()
                        .setAlterPartition(AlterPartitionRequest.newBuilder()
                                .setBrokerId(broker)
                                .setIncarnationId("i" + broker)
                                .addChanges(PartitionIsrChange.newBuilder()
                                        .setTopic(p.getTopic())
                                        .setPartition(p.getPartition())
                                        .setLeaderEpoch(p.getLeaderEpoch())
                                        .setPartitionEpoch(p.getPartitionEpoch())
                                        .addAllNewIsr(isr)))
                        .build())
                .getAlterPartition();
        return response.getPartitionsCount() == 1
                ? response.getPartitions(0)
                : PartitionIsrResult.newBuilder().setError(response.getError()).build();
    }

    /** Registers and unfences brokers 1..n with incarnations "i1".."in". */
    private void brokers(int n) throws Exception {
        for (int id = 1; id <= n; id++) {
            assertEquals(ErrorCode.NONE, register(id, "i" + id).getCode());
            assertFalse(heartbeat(id, "i" + id).getFenced());
        }
    }

    private void heartbeatAllBut(int silent, int n) throws Exception {
        for (int id = 1; id <= n; id++) {
            if (id != silent) {
                heartbeat(id, "i" + id);
            }
        }
    }

    private boolean fenced(int id) {
        return state.broker(id).orElseThrow().getFenced();
    }

    @Test
    void anErrorInTheSessionExpiryCheckGoesToTheFatalErrorHandler() throws Exception {
        start(c -> c);
        brokers(1);
        OutOfMemoryError injected = new OutOfMemoryError("injected into fencing");
        proposalError = injected;
        clock.advance(SESSION_MS + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> fatalErrors.contains(injected));
    }

    @Test
    void anErrorWhileHandlingARequestGoesToTheFatalErrorHandler() throws Exception {
        start(c -> c);
        // The controller's own first proposal (the cluster id) is made before the error is injected.
        await().atMost(Duration.ofSeconds(10)).until(() -> !state.clusterId().isEmpty());
        OutOfMemoryError injected = new OutOfMemoryError("injected into registration");
        proposalError = injected;
        ActiveControllerResponse answer = send(ActiveControllerRequest.newBuilder()
                .setRegisterBroker(
                        RegisterBrokerRequest.newBuilder().setBrokerId(1).setIncarnationId("i1"))
                .build());
        assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, answer.getError().getCode(), answer.toString());
        assertEquals(List.of(injected), fatalErrors);
    }

    @Test
    void aNewClustersFirstActiveControllerChoosesItsIdAndLaterOnesKeepIt() throws Exception {
        start(c -> c);
        await().atMost(Duration.ofSeconds(10)).until(() -> !state.clusterId().isEmpty());
        String id = state.clusterId();
        assertTrue(id.matches("[A-Za-z0-9_-]{22}"), id);

        start(c -> c); // a new term: the next active controller
        register(1, "i1"); // runs after its start-up tasks, on its one thread
        assertEquals(id, state.clusterId());
        assertEquals(
                1,
                log.stream()
                        .flatMap(command -> command.getRecordsList().stream())
                        .filter(MetadataRecord::hasClusterId)
                        .count(),
                "chosen once");
    }

    @Test
    void registeredBrokerStartsFencedAndItsFirstHeartbeatUnfencesIt() throws Exception {
        start(c -> c);
        assertEquals(ErrorCode.NONE, register(1, "i1").getCode());
        assertTrue(fenced(1));
        BrokerHeartbeatResponse hb = heartbeat(1, "i1");
        assertEquals(ErrorCode.NONE, hb.getError().getCode());
        assertFalse(hb.getFenced());
        assertFalse(fenced(1));
    }

    @Test
    void brokerThatStopsHeartbeatingIsFencedAndItsLeadershipsMoveToIsrMembers() throws Exception {
        start(c -> c);
        brokers(3);
        List<PartitionRecord> before = create("t", 6, 3).getPartitionsList();
        clock.advance(SESSION_MS / 2);
        heartbeatAllBut(1, 3);
        clock.advance(SESSION_MS / 2 + 1);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertTrue(fenced(1));
        assertFalse(fenced(2));
        for (PartitionRecord old : before) {
            PartitionRecord now = state.partition("t", old.getPartition()).orElseThrow();
            assertFalse(now.getIsrList().contains(1), now.toString());
            assertEquals(old.getPartitionEpoch() + 1, now.getPartitionEpoch());
            if (old.getLeader() == 1) {
                assertTrue(now.getLeader() == 2 || now.getLeader() == 3);
                assertEquals(old.getLeaderEpoch() + 1, now.getLeaderEpoch());
            } else {
                assertEquals(old.getLeader(), now.getLeader());
                assertEquals(old.getLeaderEpoch(), now.getLeaderEpoch());
            }
        }
    }

    @Test
    void aFencingThatAnIsrChangeOvertookStillFencesAndTheLeftOverPartitionIsSettled() throws Exception {
        start(c -> c);
        brokers(3);
        PartitionRecord p = create("t", 6, 3).getPartitionsList().stream()
                .filter(r -> r.getLeader() != 1)
                .findFirst()
                .orElseThrow();
        int other = p.getReplicasList().stream()
                .filter(b -> b != 1 && b != p.getLeader())
                .findFirst()
                .orElseThrow();
        // The leader's ISR change is decided first and the fencing of broker 1 beside it, from the same
        // committed state: the ISR change applies first, so the fencing's change of p is stale.
        int proposed = log.size();
        CompletableFuture<Void> first = new CompletableFuture<>();
        commitsHeld = first;
        CompletableFuture<ActiveControllerResponse> shrink = controller.handle(ActiveControllerRequest.newBuilder()
                .setAlterPartition(AlterPartitionRequest.newBuilder()
                        .setBrokerId(p.getLeader())
                        .setIncarnationId("i" + p.getLeader())
                        .addChanges(PartitionIsrChange.newBuilder()
                                .setTopic("t")
                                .setPartition(p.getPartition())
                                .setLeaderEpoch(p.getLeaderEpoch())
                                .setPartitionEpoch(p.getPartitionEpoch())
                                .addAllNewIsr(List.of(p.getLeader(), 1))))
                .build());
        await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == proposed + 1);
        CompletableFuture<Void> second = new CompletableFuture<>();
        commitsHeld = second;
        clock.advance(SESSION_MS / 2);
        heartbeatAllBut(1, 3);
        clock.advance(SESSION_MS / 2 + 1);
        CompletableFuture<Void> fencing = controller.expireSessionsNow();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == proposed + 2);
        first.complete(null);
        assertEquals(
                ErrorCode.NONE,
                shrink.get(10, TimeUnit.SECONDS)
                        .getAlterPartition()
                        .getPartitions(0)
                        .getError()
                        .getCode());
        commitsHeld = null;
        second.complete(null);
        fencing.get(10, TimeUnit.SECONDS);
        assertTrue(fenced(1), "the fencing applied without its stale partition change");
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> state.partition("t", p.getPartition())
                                .orElseThrow()
                                .getIsrList(),
                        isr -> isr.equals(List.of(p.getLeader())));
        assertFalse(state.partition("t", p.getPartition())
                .orElseThrow()
                .getIsrList()
                .contains(other));
        for (PartitionRecord now : state.partitions("t")) {
            assertFalse(now.getIsrList().contains(1), now.toString());
            assertTrue(now.getLeader() != 1, now.toString());
        }
    }

    @Test
    void newActiveControllerGivesEveryBrokerAFullSessionBeforeFencing() throws Exception {
        start(c -> c);
        brokers(2);
        clock.advance(SESSION_MS - 1);
        start(c -> c); // failover: the new controller never saw these brokers' heartbeats
        clock.advance(SESSION_MS);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertFalse(fenced(1));
        assertFalse(fenced(2));
        heartbeat(2, "i2");
        clock.advance(1);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertTrue(fenced(1));
        assertFalse(fenced(2));
    }

    private static int portOf(int broker) {
        return 9000 + broker;
    }

    private UnaryOperator<ControllerConfig> probeAfter(long ms) {
        return c -> c.withBrokerLivenessProbeAfterMs(ms);
    }

    @Test
    void lateBrokerWhoseListenerRefusesIsFencedBeforeItsSessionEnds() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(3);
        List<PartitionRecord> before = create("t", 6, 3).getPartitionsList();
        refusedPorts.add(portOf(1));
        clock.advance(SESSION_MS / 4 + 1);
        heartbeatAllBut(1, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> fenced(1));
        assertFalse(fenced(2));
        assertFalse(fenced(3));
        for (PartitionRecord old : before) {
            PartitionRecord now = state.partition("t", old.getPartition()).orElseThrow();
            assertFalse(now.getIsrList().contains(1), now.toString());
            assertTrue(now.getLeader() == 2 || now.getLeader() == 3, now.toString());
        }
    }

    @Test
    void lateBrokerThatStillListensKeepsItsSessionUntilItEnds() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(2);
        clock.advance(SESSION_MS / 4 + 1);
        heartbeat(2, "i2");
        await().atMost(Duration.ofSeconds(10)).until(() -> probes.containsKey(portOf(1)));
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS); // after the probe's answer on the event thread
        assertFalse(fenced(1));

        clock.advance(SESSION_MS);
        heartbeat(2, "i2");
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertTrue(fenced(1), "the session still ends");
    }

    @Test
    void heartbeatThatArrivesWhileTheProbeIsRefusedKeepsTheBroker() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(2);
        probesHeld = true;
        clock.advance(SESSION_MS / 4 + 1);
        heartbeat(2, "i2");
        await().atMost(Duration.ofSeconds(10)).until(() -> probes.containsKey(portOf(1)));
        heartbeat(1, "i1"); // e.g. a restarted process listens again on the port by now, or the refusal was stale
        probes.get(portOf(1)).complete(true);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertFalse(fenced(1));
    }

    @Test
    void aBrokerReportedUnreachableIsProbedAtOnceAndFencedWhenItsListenerRefuses() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(3);
        create("t", 6, 3);
        refusedPorts.add(portOf(1));
        // No time passes: broker 1's heartbeat is not late, only reported by a follower that failed to fetch.
        assertEquals(ErrorCode.NONE, heartbeat(2, "i2", 1).getError().getCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> fenced(1));
        for (int p = 0; p < 6; p++) {
            PartitionRecord now = state.partition("t", p).orElseThrow();
            assertFalse(now.getIsrList().contains(1), now.toString());
        }
        assertFalse(fenced(2));
        assertFalse(fenced(3));
    }

    @Test
    void aBrokerReportedUnreachableThatStillListensKeepsItsSession() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(3);
        // 2 is the sender itself; 99, a negative and the largest id are not registered: none of them is probed.
        heartbeat(2, "i2", 1, 2, 99);
        heartbeat(3, "i3", -1, Integer.MAX_VALUE, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> probes.containsKey(portOf(1)));
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS); // after the probe's answer on the event thread
        assertFalse(fenced(1));
        assertEquals(Set.of(portOf(1)), probes.keySet());
    }

    @Test
    void aHeartbeatReportingMoreUnreachableBrokersThanAreRegisteredIsRefused() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(2);
        Error error = heartbeat(2, "i2", 1, 1, 1).getError();
        assertEquals(ErrorCode.INVALID_REQUEST, error.getCode());
        assertTrue(error.getMessage().contains("3 unreachable brokers; only 2 are registered"), error.getMessage());
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertTrue(probes.isEmpty(), probes.toString());
        assertFalse(fenced(1));
    }

    @Test
    void probesOffLeaveFencingToTheSession() throws Exception {
        start(probeAfter(0));
        brokers(2);
        refusedPorts.add(portOf(1));
        clock.advance(SESSION_MS / 2);
        heartbeat(2, "i2");
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertTrue(probes.isEmpty(), probes.toString());
        assertFalse(fenced(1));
    }

    @Test
    void newActiveControllerProbesEveryBrokerAtOnceAndFencesOneThatIsGone() throws Exception {
        start(probeAfter(SESSION_MS / 4));
        brokers(3);
        refusedPorts.add(portOf(1)); // died with the previous active controller
        start(probeAfter(SESSION_MS / 4)); // failover, no time passes
        await().atMost(Duration.ofSeconds(10)).until(() -> fenced(1));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> probes.containsKey(portOf(2)) && probes.containsKey(portOf(3)));
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        assertFalse(fenced(2));
        assertFalse(fenced(3));
    }

    @Test
    void partitionWithNoLiveIsrMemberGoesOfflineAndReturnsWithItsBroker() throws Exception {
        start(c -> c);
        brokers(2);
        create("solo", 2, 1);
        int ledBy = state.partition("solo", 0).orElseThrow().getLeader();
        int other = 3 - ledBy;
        clock.advance(SESSION_MS + 1);
        heartbeat(other, "i" + other);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        PartitionRecord offline = state.partition("solo", 0).orElseThrow();
        assertEquals(PartitionChangeBuilder.NO_LEADER, offline.getLeader());
        assertEquals(List.of(ledBy), offline.getIsrList());
        assertEquals(1, state.offlinePartitionCount());

        assertEquals(ErrorCode.NONE, register(ledBy, "restarted").getCode());
        assertTrue(fenced(ledBy));
        assertFalse(heartbeat(ledBy, "restarted").getFenced());
        PartitionRecord back = state.partition("solo", 0).orElseThrow();
        assertEquals(ledBy, back.getLeader());
        assertEquals(offline.getLeaderEpoch() + 1, back.getLeaderEpoch());
        assertEquals(0, state.offlinePartitionCount());
    }

    @Test
    void uncleanElectionPicksALiveReplicaOutsideTheIsr() throws Exception {
        start(c -> c.withUncleanLeaderElectionEnable(true));
        brokers(2);
        PartitionRecord p = create("t", 1, 2).getPartitions(0);
        int leader = p.getLeader();
        int follower = 3 - leader;
        assertEquals(
                ErrorCode.NONE, alter(leader, p, List.of(leader)).getError().getCode());
        clock.advance(SESSION_MS + 1);
        heartbeat(follower, "i" + follower);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        PartitionRecord now = state.partition("t", 0).orElseThrow();
        assertEquals(follower, now.getLeader());
        assertEquals(List.of(follower), now.getIsrList());
    }

    @Test
    void leadershipGoesBackToThePreferredReplicaOnceItRejoinsTheIsr() throws Exception {
        start(c -> c);
        brokers(3);
        create("t", 3, 3);
        clock.advance(SESSION_MS + 1);
        heartbeatAllBut(1, 3);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        PartitionRecord moved = state.partitions("t").stream()
                .filter(p -> p.getReplicas(0) == 1)
                .findFirst()
                .orElseThrow();
        assertTrue(moved.getLeader() != 1);

        register(1, "i1-again");
        heartbeat(1, "i1-again");
        controller.rebalanceLeadersNow().get(10, TimeUnit.SECONDS);
        assertEquals(moved, state.partition("t", moved.getPartition()).orElseThrow(), "not in the ISR yet: no move");

        List<Integer> isr = new ArrayList<>(moved.getIsrList());
        isr.add(1);
        assertEquals(
                ErrorCode.NONE, alter(moved.getLeader(), moved, isr).getError().getCode());
        controller.rebalanceLeadersNow().get(10, TimeUnit.SECONDS);
        PartitionRecord back = state.partition("t", moved.getPartition()).orElseThrow();
        assertEquals(1, back.getLeader());
        assertEquals(moved.getLeaderEpoch() + 1, back.getLeaderEpoch());
    }

    @Test
    void alterPartitionIsAcceptedOnlyFromTheCurrentLeaderWithCurrentEpochs() throws Exception {
        start(c -> c);
        brokers(3);
        PartitionRecord p = create("t", 1, 3).getPartitions(0);
        int leader = p.getLeader();
        int follower = p.getReplicas(1);
        List<Integer> shrunk = List.of(leader, p.getReplicas(2));
        PartitionIsrResult ok = alter(leader, p, shrunk);
        assertEquals(ErrorCode.NONE, ok.getError().getCode());
        assertEquals(p.getPartitionEpoch() + 1, ok.getPartition().getPartitionEpoch());
        assertEquals(shrunk, state.partition("t", 0).orElseThrow().getIsrList());

        assertEquals(
                ErrorCode.STALE_PARTITION_EPOCH,
                alter(leader, p, List.of(leader)).getError().getCode());
        PartitionRecord current = ok.getPartition();
        assertEquals(
                ErrorCode.NOT_LEADER,
                alter(follower, current, List.of(follower)).getError().getCode());
        assertEquals(
                ErrorCode.FENCED_LEADER_EPOCH,
                alter(
                                leader,
                                current.toBuilder()
                                        .setLeaderEpoch(current.getLeaderEpoch() - 1)
                                        .build(),
                                List.of(leader))
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                alter(leader, current, List.of(p.getReplicas(2))).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                alter(leader, current, List.of(leader, 99)).getError().getCode());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                alter(leader, current.toBuilder().setTopic("nope").build(), List.of(leader))
                        .getError()
                        .getCode());
        assertEquals(current, state.partition("t", 0).orElseThrow());
    }

    private static PartitionIsrChange isrChange(PartitionRecord p, int partitionEpoch, List<Integer> isr) {
        return PartitionIsrChange.newBuilder()
                .setTopic(p.getTopic())
                .setPartition(p.getPartition())
                .setLeaderEpoch(p.getLeaderEpoch())
                .setPartitionEpoch(partitionEpoch)
                .addAllNewIsr(isr)
                .build();
    }

    private AlterPartitionResponse alterAll(int broker, List<PartitionIsrChange> changes) throws Exception {
        return send(ActiveControllerRequest.newBuilder()
                        .setAlterPartition(AlterPartitionRequest.newBuilder()
                                .setBrokerId(broker)
                                .setIncarnationId("i" + broker)
                                .addAllChanges(changes))
                        .build())
                .getAlterPartition();
    }

    @Test
    void aBatchOfIsrChangesIsAnsweredChangeByChangeAndIsBounded() throws Exception {
        start(c -> c);
        brokers(3);
        List<PartitionRecord> created = create("t", 6, 3).getPartitionsList();
        int leader = created.get(0).getLeader();
        List<PartitionRecord> led =
                created.stream().filter(p -> p.getLeader() == leader).toList();
        PartitionRecord first = led.get(0);
        PartitionRecord second = led.get(1);
        List<Integer> shrunk =
                List.of(leader, first.getReplicas(1) == leader ? first.getReplicas(2) : first.getReplicas(1));

        AlterPartitionResponse answer = alterAll(
                leader,
                List.of(
                        isrChange(first, first.getPartitionEpoch(), shrunk),
                        isrChange(second, second.getPartitionEpoch() - 1, List.of(leader))));
        assertEquals(ErrorCode.NONE, answer.getError().getCode());
        assertEquals(ErrorCode.NONE, answer.getPartitions(0).getError().getCode());
        assertEquals(shrunk, answer.getPartitions(0).getPartition().getIsrList());
        assertEquals(
                ErrorCode.STALE_PARTITION_EPOCH,
                answer.getPartitions(1).getError().getCode(),
                "a stale change refuses only itself");
        assertEquals(
                shrunk, state.partition("t", first.getPartition()).orElseThrow().getIsrList());
        assertEquals(second, state.partition("t", second.getPartition()).orElseThrow());

        PartitionRecord current = state.partition("t", first.getPartition()).orElseThrow();
        PartitionIsrChange again = isrChange(current, current.getPartitionEpoch(), List.of(leader));
        AlterPartitionResponse twice = alterAll(leader, List.of(again, again));
        assertEquals(ErrorCode.INVALID_REQUEST, twice.getError().getCode());
        assertTrue(twice.getError().getMessage().contains("more than one ISR change"), twice.toString());
        assertEquals(0, twice.getPartitionsCount());

        List<PartitionIsrChange> tooMany = new ArrayList<>();
        for (int i = 0; i <= RequestChecks.MAX_ISR_CHANGES; i++) {
            tooMany.add(again.toBuilder().setPartition(i).build());
        }
        AlterPartitionResponse oversized = alterAll(leader, tooMany);
        assertEquals(ErrorCode.INVALID_REQUEST, oversized.getError().getCode());
        assertTrue(oversized.getError().getMessage().contains("at most 10000 ISR changes"), oversized.toString());
        assertEquals(current, state.partition("t", first.getPartition()).orElseThrow());
    }

    @Test
    void malformedAndHostileRequestsGetClearErrors() throws Exception {
        start(c -> c);
        brokers(2);
        assertEquals(ErrorCode.UNKNOWN_BROKER, heartbeat(42, "x").getError().getCode());
        assertEquals(
                ErrorCode.BROKER_FENCED, heartbeat(1, "someone-else").getError().getCode());
        Error duplicate = register(1, "another-process");
        assertEquals(ErrorCode.DUPLICATE_BROKER_REGISTRATION, duplicate.getCode());
        assertTrue(duplicate.getMessage().contains("i1"), duplicate.getMessage());
        assertEquals(ErrorCode.INVALID_REQUEST, register(-1, "x").getCode());
        assertEquals(ErrorCode.INVALID_REQUEST, register(5, "").getCode());
        assertEquals(ErrorCode.INVALID_PARTITIONS, create("t", -1, 1).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_PARTITIONS,
                create("t", 1_000_000_000, 1).getError().getCode());
        assertEquals(ErrorCode.INVALID_TOPIC, create("../etc", 1, 1).getError().getCode());
        Error tooMany = create("t", 1, 3).getError();
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, tooMany.getCode());
        assertTrue(tooMany.getMessage().contains("2"), tooMany.getMessage());
        assertEquals(ErrorCode.NONE, create("t", 1, 2).getError().getCode());
        assertEquals(
                ErrorCode.TOPIC_ALREADY_EXISTS, create("t", 1, 2).getError().getCode());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                send(ActiveControllerRequest.getDefaultInstance()).getError().getCode());
        assertEquals(1, state.topics().size());
    }

    @Test
    void minInsyncReplicasAboveTheReplicationFactorIsRefusedOnCreateAndOnAlter() throws Exception {
        start(c -> c);
        brokers(2);
        Error refused = send(ActiveControllerRequest.newBuilder()
                        .setCreateTopic(CreateTopicRequest.newBuilder()
                                .setName("t")
                                .setPartitionCount(1)
                                .setReplicationFactor(2)
                                .putConfigs("min.insync.replicas", "3"))
                        .build())
                .getCreateTopic()
                .getError();
        assertEquals(ErrorCode.INVALID_CONFIG, refused.getCode());
        assertTrue(
                refused.getMessage().startsWith("min.insync.replicas 3 is above the replication factor 2"),
                refused.getMessage());
        assertEquals(ErrorCode.NONE, create("t", 1, 2).getError().getCode());

        Error alterRefused = alterConfigs("t", "min.insync.replicas", "3");
        assertEquals(ErrorCode.INVALID_CONFIG, alterRefused.getCode());
        assertTrue(alterRefused.getMessage().contains("at most 2"), alterRefused.getMessage());
        assertEquals(Map.of(), state.topic("t").orElseThrow().getConfigsMap());
        assertEquals(
                ErrorCode.NONE, alterConfigs("t", "min.insync.replicas", "2").getCode());
    }

    @Test
    void controlledShutdownMovesLeadershipsAwayAndKeepsTheBrokerFenced() throws Exception {
        start(c -> c);
        brokers(3);
        create("t", 6, 3);
        var response = send(ActiveControllerRequest.newBuilder()
                        .setControlledShutdown(ControlledShutdownRequest.newBuilder()
                                .setBrokerId(2)
                                .setIncarnationId("i2"))
                        .build())
                .getControlledShutdown();
        assertEquals(ErrorCode.NONE, response.getError().getCode());
        assertEquals(0, response.getRemainingLeaderships());
        assertTrue(fenced(2));
        assertTrue(heartbeat(2, "i2").getFenced());
        assertTrue(state.partitions("t").stream()
                .allMatch(p -> p.getLeader() != 2 && !p.getIsrList().contains(2)));
    }

    @Test
    void deletedTopicIsGoneAndNoLongerCountsForPlacement() throws Exception {
        start(c -> c);
        brokers(2);
        create("old", 4, 1);
        var request = ActiveControllerRequest.newBuilder()
                .setDeleteTopic(DeleteTopicRequest.newBuilder().setName("old"))
                .build();
        assertEquals(ErrorCode.NONE, send(request).getDeleteTopic().getError().getCode());
        assertTrue(state.topic("old").isEmpty());
        assertTrue(state.partitions("old").isEmpty());
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                send(request).getDeleteTopic().getError().getCode());
        assertEquals(
                List.of(List.of(1), List.of(2)),
                create("new", 2, 1).getPartitionsList().stream()
                        .map(PartitionRecord::getReplicasList)
                        .toList());
    }

    @Test
    void createdTopicsSpreadLeadersEvenly() throws Exception {
        start(c -> c);
        brokers(3);
        for (int i = 0; i < 4; i++) {
            create("t" + i, 3, 2);
        }
        Map<Integer, Integer> leaders = new HashMap<>();
        state.allPartitions().forEach(p -> leaders.merge(p.getLeader(), 1, Integer::sum));
        assertEquals(Map.of(1, 4, 2, 4, 3, 4), leaders);
    }

    @Test
    void replayingTheCommandLogIntoAFreshStateGivesTheSameImage() throws Exception {
        start(c -> c);
        brokers(3);
        create("a", 4, 3);
        create("b", 2, 1);
        clock.advance(SESSION_MS + 1);
        heartbeatAllBut(3, 3);
        controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
        register(3, "again");
        heartbeat(3, "again");
        controller.rebalanceLeadersNow().get(10, TimeUnit.SECONDS);

        MetadataState replayed = new MetadataState(10);
        for (ControllerCommand c : List.copyOf(log)) {
            replayed.apply(c, c.getLeaderTerm());
        }
        assertEquals(state.image(), replayed.image());
        assertTrue(state.version() > 10);
    }

    private static ActiveControllerRequest createOrders(String key) {
        return ActiveControllerRequest.newBuilder()
                .setIdempotencyKey(key)
                .setCreateTopic(CreateTopicRequest.newBuilder()
                        .setName("orders")
                        .setPartitionCount(2)
                        .setReplicationFactor(3))
                .build();
    }

    @Test
    void aRetryOfACommittedRequestIsAnsweredAsItWasWithoutDoingItAgainAlsoByTheNextActiveController() throws Exception {
        start(c -> c);
        brokers(3);
        List<ActiveControllerRequest> calls = List.of(
                createOrders("k-create"),
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey("k-grow")
                        .setCreatePartitions(CreatePartitionsRequest.newBuilder()
                                .setName("orders")
                                .setCount(4))
                        .build(),
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey("k-alter")
                        .setAlterTopicConfigs(AlterTopicConfigsRequest.newBuilder()
                                .setName("orders")
                                .putSet("retention.ms", "1000"))
                        .build(),
                ActiveControllerRequest.newBuilder()
                        .setIdempotencyKey("k-delete")
                        .setDeleteTopic(DeleteTopicRequest.newBuilder().setName("orders"))
                        .build());
        List<ActiveControllerResponse> first = new ArrayList<>();
        for (ActiveControllerRequest call : calls) {
            ActiveControllerResponse answer = send(call);
            assertEquals(ErrorCode.NONE, errorOf(answer).getCode(), answer.toString());
            first.add(answer);
        }
        int committed = log.size();

        // Every retry (done once, the topic gone since) is answered as its first attempt was ...
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(first.get(i), send(calls.get(i)));
        }
        // ... and so by the controller of the next term, from the replicated state.
        start(c -> c);
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(first.get(i), send(calls.get(i)));
        }
        assertEquals(committed, log.size(), "no retry was done again");
        assertTrue(state.topic("orders").isEmpty());
        // The same call with no key is a new request.
        assertEquals(
                ErrorCode.UNKNOWN_TOPIC,
                send(calls.get(3).toBuilder().clearIdempotencyKey().build())
                        .getDeleteTopic()
                        .getError()
                        .getCode());
    }

    private static Error errorOf(ActiveControllerResponse answer) {
        return switch (answer.getResponseCase()) {
            case CREATE_TOPIC -> answer.getCreateTopic().getError();
            case CREATE_PARTITIONS -> answer.getCreatePartitions().getError();
            case ALTER_TOPIC_CONFIGS -> answer.getAlterTopicConfigs().getError();
            case DELETE_TOPIC -> answer.getDeleteTopic().getError();
            default -> answer.getError();
        };
    }

    @Test
    void aRetryWhileTheFirstAttemptIsBeingCommittedGetsItsAnswer() throws Exception {
        start(c -> c);
        brokers(3);
        CompletableFuture<Void> held = new CompletableFuture<>();
        commitsHeld = held;
        int before = log.size();
        CompletableFuture<ActiveControllerResponse> first = controller.handle(createOrders("k"));
        CompletableFuture<ActiveControllerResponse> retry = controller.handle(createOrders("k"));
        await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == before + 1);
        held.complete(null);
        assertEquals(
                ErrorCode.NONE,
                first.get(10, TimeUnit.SECONDS).getCreateTopic().getError().getCode());
        assertEquals(first.get(), retry.get(10, TimeUnit.SECONDS));
        assertEquals(before + 1, log.size());
    }

    @Test
    void aKeyUsedForAnotherRequestIsRefusedAndNothingOfThatRequestIsDone() throws Exception {
        start(c -> c);
        brokers(3);
        assertEquals(
                ErrorCode.NONE,
                send(createOrders("k")).getCreateTopic().getError().getCode());
        ActiveControllerResponse other = send(ActiveControllerRequest.newBuilder()
                .setIdempotencyKey("k")
                .setCreateTopic(CreateTopicRequest.newBuilder()
                        .setName("payments")
                        .setPartitionCount(2)
                        .setReplicationFactor(3))
                .build());
        assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, other.getError().getCode(), other.toString());
        assertTrue(
                other.getError().getMessage().contains("'k'"), other.getError().getMessage());
        assertTrue(state.topic("payments").isEmpty());
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                send(createOrders("k".repeat(129))).getError().getCode());
    }
}
