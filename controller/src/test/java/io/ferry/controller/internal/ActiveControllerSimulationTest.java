package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.controller.ControllerConfig;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded random run of broker registrations, heartbeats, silences, topic changes, ISR changes,
 * controlled shutdowns and controller failovers against the active controller, with the metadata
 * invariants checked after every step and the command log replayed at the end. A failing seed is
 * reproducible: add it to the list.
 */
class ActiveControllerSimulationTest {
    private static final int BROKERS = 5;
    private static final int STEPS = 300;
    private static final long SESSION_MS = 1_000;
    private static final List<String> TOPICS = List.of("a", "b", "c", "d");

    private final MetadataState state = new MetadataState(100_000);
    private final ManualClock clock = new ManualClock();
    private final List<ControllerCommand> log = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> lastPartitionEpoch = new HashMap<>();
    private final Map<String, Integer> lastLeaderEpoch = new HashMap<>();
    private final Map<Integer, String> incarnation = new HashMap<>();
    private ActiveController controller;
    private long term;
    private int topicsCreated;
    private Random random;

    private void failover(boolean unclean) {
        if (controller != null) {
            controller.close();
        }
        term++;
        ControllerConfig config = ControllerConfig.of(0, Map.of(0, "127.0.0.1:1"), Path.of("unused"))
                .withBrokerSessionTimeoutMs(SESSION_MS)
                .withAutoLeaderRebalance(true, 3_600_000)
                .withUncleanLeaderElectionEnable(unclean);
        controller = ActiveController.start(
                term,
                state,
                command -> {
                    log.add(command);
                    return CompletableFuture.completedFuture(state.apply(command, command.getLeaderTerm()));
                },
                clock,
                config,
                new SimpleMeterRegistry().counter("elections"),
                ListenerProbe.NEVER_REFUSED,
                (thread, error) -> thread.getThreadGroup().uncaughtException(thread, error));
    }

    private ActiveControllerResponse send(ActiveControllerRequest request) throws Exception {
        return controller.handle(request).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20261121})
    void invariantsHoldAndTheLogReplaysToTheSameImage(long seed) throws Exception {
        random = new Random(seed);
        boolean unclean = seed % 2 == 0;
        failover(unclean);
        try {
            for (int step = 0; step < STEPS; step++) {
                String action = step(unclean);
                checkInvariants(seed, step, action, unclean);
            }
        } finally {
            controller.close();
        }
        MetadataState replayed = new MetadataState(10);
        for (ControllerCommand c : List.copyOf(log)) {
            replayed.apply(c, c.getLeaderTerm());
        }
        assertEquals(state.image(), replayed.image(), "seed " + seed);
        assertTrue(topicsCreated > 0, "seed " + seed + " created no topic: the run is too weak");
    }

    private String step(boolean unclean) throws Exception {
        int broker = 1 + random.nextInt(BROKERS);
        switch (random.nextInt(10)) {
            case 0: {
                String inc = random.nextBoolean() && incarnation.containsKey(broker)
                        ? incarnation.get(broker)
                        : "inc-" + random.nextInt(1000);
                ErrorCode code = send(ActiveControllerRequest.newBuilder()
                                .setRegisterBroker(RegisterBrokerRequest.newBuilder()
                                        .setBrokerId(broker)
                                        .setIncarnationId(inc))
                                .build())
                        .getRegisterBroker()
                        .getError()
                        .getCode();
                if (code == ErrorCode.NONE) {
                    incarnation.put(broker, inc);
                }
                return "register " + broker + " " + inc + " -> " + code;
            }
            case 1:
            case 2:
                for (Map.Entry<Integer, String> b : incarnation.entrySet()) {
                    if (random.nextInt(4) != 0) {
                        send(ActiveControllerRequest.newBuilder()
                                .setBrokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                                        .setBrokerId(b.getKey())
                                        .setIncarnationId(b.getValue()))
                                .build());
                    }
                }
                return "heartbeats";
            case 3:
                clock.advance(random.nextInt((int) SESSION_MS));
                controller.expireSessionsNow().get(10, TimeUnit.SECONDS);
                return "time passes";
            case 4: {
                String name = TOPICS.get(random.nextInt(TOPICS.size()));
                ErrorCode code = send(ActiveControllerRequest.newBuilder()
                                .setCreateTopic(CreateTopicRequest.newBuilder()
                                        .setName(name)
                                        .setPartitionCount(1 + random.nextInt(4))
                                        .setReplicationFactor(1 + random.nextInt(3)))
                                .build())
                        .getCreateTopic()
                        .getError()
                        .getCode();
                if (code == ErrorCode.NONE) {
                    topicsCreated++;
                }
                return "create " + name + " -> " + code;
            }
            case 5: {
                String name = TOPICS.get(random.nextInt(TOPICS.size()));
                send(ActiveControllerRequest.newBuilder()
                        .setDeleteTopic(DeleteTopicRequest.newBuilder().setName(name))
                        .build());
                return "delete " + name;
            }
            case 6:
            case 7:
                return alterRandomPartition();
            case 8:
                if (random.nextInt(4) == 0 && incarnation.containsKey(broker)) {
                    send(ActiveControllerRequest.newBuilder()
                            .setControlledShutdown(ControlledShutdownRequest.newBuilder()
                                    .setBrokerId(broker)
                                    .setIncarnationId(incarnation.get(broker)))
                            .build());
                    return "controlled shutdown " + broker;
                }
                controller.rebalanceLeadersNow().get(10, TimeUnit.SECONDS);
                return "rebalance";
            default:
                if (random.nextInt(3) == 0) {
                    failover(unclean);
                    return "controller failover";
                }
                return "nothing";
        }
    }

    /** The leader (or, sometimes, a stale or wrong broker) asks for a random ISR. */
    private String alterRandomPartition() throws Exception {
        List<PartitionRecord> all = state.allPartitions();
        if (all.isEmpty()) {
            return "no partition to alter";
        }
        PartitionRecord p = all.get(random.nextInt(all.size()));
        int asker = random.nextInt(4) == 0 ? p.getReplicas(random.nextInt(p.getReplicasCount())) : p.getLeader();
        List<Integer> isr = new ArrayList<>();
        for (int r : p.getReplicasList()) {
            if (r == asker || random.nextBoolean()) {
                isr.add(r);
            }
        }
        int staleness = random.nextInt(5) == 0 ? 1 : 0;
        AlterPartitionResponse answer = send(ActiveControllerRequest.newBuilder()
                        .setAlterPartition(AlterPartitionRequest.newBuilder()
                                .setBrokerId(asker)
                                .setIncarnationId(incarnation.getOrDefault(asker, "none"))
                                .addChanges(PartitionIsrChange.newBuilder()
                                        .setTopic(p.getTopic())
                                        .setPartition(p.getPartition())
                                        .setLeaderEpoch(p.getLeaderEpoch())
                                        .setPartitionEpoch(p.getPartitionEpoch() - staleness)
                                        .addAllNewIsr(isr)))
                        .build())
                .getAlterPartition();
        ErrorCode code = answer.getPartitionsCount() == 1
                ? answer.getPartitions(0).getError().getCode()
                : answer.getError().getCode();
        if (staleness == 1) {
            assertTrue(code != ErrorCode.NONE, "a stale partition epoch was accepted");
        }
        return "alter " + p.getTopic() + "-" + p.getPartition() + " by " + asker + " to " + isr + " -> " + code;
    }

    private void checkInvariants(long seed, int step, String action, boolean unclean) {
        String where = "seed " + seed + " step " + step + " (" + action + "): ";
        Set<Integer> fenced = new HashSet<>();
        for (BrokerRegistration b : state.brokers()) {
            if (b.getFenced()) {
                fenced.add(b.getBrokerId());
            }
        }
        Set<String> seen = new HashSet<>();
        for (PartitionRecord p : state.allPartitions()) {
            String key = p.getTopicId() + "-" + p.getPartition();
            seen.add(key);
            assertFalse(p.getIsrList().isEmpty(), where + "empty ISR " + p);
            assertTrue(p.getReplicasList().containsAll(p.getIsrList()), where + "ISR outside replicas " + p);
            if (p.getLeader() != PartitionChangeBuilder.NO_LEADER) {
                assertTrue(p.getIsrList().contains(p.getLeader()), where + "leader outside the ISR " + p);
                assertFalse(fenced.contains(p.getLeader()), where + "fenced leader " + p);
            } else if (!unclean) {
                assertTrue(
                        p.getIsrList().stream().allMatch(fenced::contains),
                        where + "offline with a live ISR member " + p);
            }
            if (p.getLeader() != PartitionChangeBuilder.NO_LEADER) {
                // Dead members stay in the ISR only of an offline partition: they are its election candidates.
                assertTrue(
                        p.getIsrList().stream().noneMatch(fenced::contains), where + "fenced broker in a led ISR " + p);
            }
            Integer previousEpoch = lastPartitionEpoch.put(key, p.getPartitionEpoch());
            Integer previousLeaderEpoch = lastLeaderEpoch.put(key, p.getLeaderEpoch());
            assertTrue(
                    previousEpoch == null || previousEpoch <= p.getPartitionEpoch(),
                    where + "partition epoch went back");
            assertTrue(
                    previousLeaderEpoch == null || previousLeaderEpoch <= p.getLeaderEpoch(),
                    where + "leader epoch went back");
        }
        lastPartitionEpoch.keySet().retainAll(seen);
        lastLeaderEpoch.keySet().retainAll(seen);
    }
}
