package io.ferry.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A consumer as KIP-848 describes it, holding what it consumes: the property tests' client. It sends its
 * heartbeats to whatever stands for the coordinator and acts on the answers. Consumers with an index below
 * {@link #STATIC_CLIENTS} are static members (group.instance.id), the others dynamic.
 */
final class ModelConsumer {

    static final int STATIC_CLIENTS = 2;
    static final int REBALANCE_TIMEOUT_MS = 4_000;

    final int index;
    int incarnation;
    String memberId;
    int epoch;
    boolean joined;
    boolean wantsToBeMember;
    boolean answerLost;
    Set<String> topics = new TreeSet<>();
    /** A regular expression it subscribes with besides {@link #topics}, or {@code null}. */
    String regex;
    /** What the client consumes now. */
    Assignment held = Assignment.EMPTY;
    /** The last assignment the coordinator sent; the client takes it on when it acknowledges. */
    Assignment received = Assignment.EMPTY;

    ModelConsumer(int index) {
        this.index = index;
        this.memberId = "m" + index + "-0";
    }

    String instanceId() {
        return index < STATIC_CLIENTS ? "i" + index : null;
    }

    void join(Function<HeartbeatRequest, HeartbeatResponse> coordinator) {
        wantsToBeMember = true;
        send(
                coordinator,
                new HeartbeatRequest(
                        "g",
                        memberId,
                        0,
                        instanceId(),
                        REBALANCE_TIMEOUT_MS,
                        "client-" + index,
                        "/10.0.0." + index,
                        new ArrayList<>(topics),
                        regex,
                        List.of()));
    }

    void heartbeat(Function<HeartbeatRequest, HeartbeatResponse> coordinator, boolean ack, Set<String> newTopics) {
        if (!joined) {
            return;
        }
        if (ack) {
            held = received;
        }
        if (newTopics != null) {
            topics = newTopics;
        }
        send(coordinator, request(newTopics));
    }

    /**
     * The next heartbeat: incremental (only what changed), or full after an answer was lost, as a Kafka
     * client does after a timeout, so that the answer carries the assignment whatever changed meanwhile.
     */
    private HeartbeatRequest request(Set<String> newTopics) {
        boolean full = answerLost;
        answerLost = false;
        Set<String> names = newTopics != null ? newTopics : full ? topics : null;
        return new HeartbeatRequest(
                "g",
                memberId,
                epoch,
                instanceId(),
                full ? REBALANCE_TIMEOUT_MS : -1,
                "client-" + index,
                "/10.0.0." + index,
                names == null ? null : new ArrayList<>(names),
                null,
                new ArrayList<>(held.partitions()));
    }

    /** A dynamic member leaves (-1); a static one leaves for now (-2) and comes back as a new process. */
    void leave(Function<HeartbeatRequest, HeartbeatResponse> coordinator) {
        if (joined) {
            int leaveEpoch = instanceId() == null ? -1 : -2;
            coordinator.apply(new HeartbeatRequest(
                    "g",
                    memberId,
                    leaveEpoch,
                    instanceId(),
                    -1,
                    "client-" + index,
                    "/10.0.0." + index,
                    null,
                    null,
                    null));
        }
        dropEverything();
        wantsToBeMember = false;
        if (instanceId() != null) {
            newIncarnation();
        }
    }

    /** Heartbeats, acknowledging, but the answer never arrives. */
    void loseAnswer(Function<HeartbeatRequest, HeartbeatResponse> coordinator) {
        if (joined) {
            held = received;
            coordinator.apply(request(null));
            answerLost = true;
        }
    }

    /** The process dies: it consumes nothing more, and its next life has a new member id. */
    void crash() {
        dropEverything();
        wantsToBeMember = false;
        newIncarnation();
    }

    private void newIncarnation() {
        incarnation++;
        memberId = "m" + index + "-" + incarnation;
    }

    private void send(Function<HeartbeatRequest, HeartbeatResponse> coordinator, HeartbeatRequest request) {
        HeartbeatResponse response = coordinator.apply(request);
        switch (response.error()) {
            case NONE -> {
                joined = true;
                epoch = response.memberEpoch();
                response.assignment().ifPresent(a -> received = a);
            }
            case UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH -> dropEverything(); // and rejoin with epoch 0
            case UNRELEASED_INSTANCE_ID -> { // its previous process still holds the instance id: retry later
            }
            default -> throw new AssertionError("unexpected answer " + response + " to " + request);
        }
    }

    private void dropEverything() {
        joined = false;
        answerLost = false;
        held = Assignment.EMPTY;
        received = Assignment.EMPTY;
        epoch = 0;
    }

    @Override
    public String toString() {
        return "client " + memberId + " holding " + held;
    }
}
