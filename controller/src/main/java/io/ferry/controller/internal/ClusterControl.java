package io.ferry.controller.internal;

import io.ferry.controller.BrokerEndpoints;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControlledShutdownResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.RegisterBrokerResponse;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broker liveness, the active controller's half that Kafka's {@code ClusterControlManager} and its heartbeat
 * manager hold: registration, heartbeats and session expiry, fencing and unfencing, controlled shutdown. It
 * decides who is alive; the partition changes a fencing or an unfencing needs come from
 * {@link LeadershipDecisions}. Topic and partition requests ({@link ReplicationControl}) ask it which
 * brokers are alive.
 *
 * <p>A broker is fenced when its session runs out, or sooner when it is shown to be gone: a broker whose
 * heartbeat is {@code broker.liveness.probe.after.ms} late, or that this controller has not heard from since
 * it became active, is probed ({@link ListenerProbe}: is anything listening on its {@code grpc} listener,
 * the one other brokers fetch from?), and a refused connection with still no heartbeat fences it at once.
 * A broker another one reports unreachable (its replica fetch failed to connect) is probed at once, without
 * waiting for its heartbeat to be late: followers see a dead leader within a fetch. Kafka waits for the session
 * alone; a kill -9 then costs a whole session of unavailability, this a fetch and a probe. A broker that is
 * alive answers the probe and keeps its session, whoever reported it.
 *
 * <p>Not thread-safe: the active controller's event thread owns it and its state (the heartbeat table, in
 * memory only since heartbeats are never replicated; the fencings in flight; the brokers in controlled
 * shutdown). Times are milliseconds of the injected clock.
 */
final class ClusterControl {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);

    /**
     * A liveness probe to run: the broker's address, its latest heartbeat when the probe was decided, and the
     * broker that reported it unreachable (-1 if none did).
     */
    record Probe(int brokerId, String host, int port, long heartbeatMs, int reportedBy) {}

    /** Proposes records as one command; completes on the event thread with the result of applying it. */
    @FunctionalInterface
    interface Commit {
        CompletableFuture<CommandResult> records(List<MetadataRecord> records);
    }

    private final MetadataState state;
    private final long sessionTimeoutMs;
    private final long probeAfterMs;
    private final InstantSource clock;
    private final LeadershipDecisions decisions;
    private final Commit commit;
    private final Map<Integer, Long> lastHeartbeatMs = new HashMap<>();
    private final Set<Integer> fencingInFlight = new HashSet<>();
    /** Brokers in controlled shutdown: their heartbeats keep the session but do not unfence them. */
    private final Set<Integer> shuttingDown = new HashSet<>();
    /** A command settling partitions ({@link #settlePartitions}) is in flight. */
    private boolean settling;
    /** Brokers with a probe in flight. */
    private final Set<Integer> probing = new HashSet<>();
    /** Brokers registered before this controller became active, neither heard from nor probed since. */
    private final Set<Integer> unheard = new HashSet<>();
    /** Brokers another broker reported unreachable, not probed since, and who reported each. */
    private final Map<Integer, Integer> reportedUnreachable = new HashMap<>();

    /** @param probeAfterMs how late a heartbeat may be before its broker is probed; 0: never probed */
    ClusterControl(
            MetadataState state,
            long sessionTimeoutMs,
            long probeAfterMs,
            InstantSource clock,
            LeadershipDecisions decisions,
            Commit commit) {
        this.state = state;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.probeAfterMs = probeAfterMs;
        this.clock = clock;
        this.decisions = decisions;
        this.commit = commit;
    }

    /**
     * Every broker registered so far gets a full session from {@code activatedMs}: heartbeats sent to the
     * previous active controller are not known here. They are probed at once (when probes are on): one that
     * died with the previous active controller is fenced without waiting a session.
     */
    void grantGracePeriod(long activatedMs) {
        for (BrokerRegistration b : state.brokers()) {
            lastHeartbeatMs.put(b.getBrokerId(), activatedMs);
            unheard.add(b.getBrokerId());
        }
    }

    /** The heartbeat table's entry for a broker heard from now. */
    private void heard(int brokerId, long now) {
        lastHeartbeatMs.put(brokerId, now);
        unheard.remove(brokerId);
        reportedUnreachable.remove(brokerId);
    }

    private boolean sessionAlive(int brokerId, long now) {
        Long last = lastHeartbeatMs.get(brokerId);
        return last != null && now - last <= sessionTimeoutMs;
    }

    /** Fences every unfenced broker whose session expired; completes when that command is applied. */
    CompletableFuture<Void> expireSessions() {
        long now = clock.millis();
        Set<Integer> expired = new HashSet<>();
        for (BrokerRegistration b : state.brokers()) {
            int id = b.getBrokerId();
            lastHeartbeatMs.putIfAbsent(id, now);
            if (!b.getFenced() && !sessionAlive(id, now) && !fencingInFlight.contains(id)) {
                expired.add(id);
            }
        }
        if (expired.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info(
                "Fencing brokers {}: no heartbeat for more than broker.session.timeout.ms ({} ms)",
                expired,
                sessionTimeoutMs);
        return fence(expired);
    }

    private CompletableFuture<Void> fence(Set<Integer> ids) {
        fencingInFlight.addAll(ids);
        long startedNanos = System.nanoTime();
        List<MetadataRecord> records = decisions.fence(ids, liveness(ids, -1));
        long decidedNanos = System.nanoTime();
        return commit.records(records).handle((r, e) -> {
            fencingInFlight.removeAll(ids);
            if (e == null && !Errors.isOk(r.getError())) {
                LOG.warn(
                        "Fencing brokers {} was not applied: {}",
                        ids,
                        r.getError().getMessage());
            } else if (e == null) {
                // Each step of a failover's time, for whoever reads the log after a kill.
                LOG.info(
                        "Fenced brokers {}: {} records decided in {} ms, committed and applied {} ms later",
                        ids,
                        records.size(),
                        TimeUnit.NANOSECONDS.toMillis(decidedNanos - startedNanos),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - decidedNanos));
            }
            return null;
        });
    }

    /**
     * Moves leaderships and ISR memberships off brokers that are not alive where a fencing or an unfencing
     * left them (its change of a partition was left out because the partition moved on first), and elects
     * leaders that an unfencing could not. Waits while a fencing or another settling is in flight, so it
     * never decides from a liveness about to change; completes when its command is applied.
     */
    CompletableFuture<Void> settlePartitions() {
        if (settling || !fencingInFlight.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<MetadataRecord> records = decisions.settle(alive());
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("Settling {} partitions whose leader or ISR does not match the live brokers", records.size());
        settling = true;
        return commit.records(records).handle((r, e) -> {
            settling = false;
            return null;
        });
    }

    /**
     * The probes due now, each marked in flight until {@link #probed}: unfenced brokers not being fenced whose
     * heartbeat is more than the probe delay old, or that this controller has not heard from yet.
     */
    List<Probe> probesDue() {
        if (probeAfterMs <= 0) {
            return List.of();
        }
        long now = clock.millis();
        List<Probe> due = new ArrayList<>();
        for (BrokerRegistration b : state.brokers()) {
            int id = b.getBrokerId();
            Long last = lastHeartbeatMs.get(id);
            if (last == null
                    || b.getFenced()
                    || fencingInFlight.contains(id)
                    || probing.contains(id)
                    || (now - last <= probeAfterMs && !unheard.contains(id) && !reportedUnreachable.containsKey(id))) {
                continue;
            }
            for (Endpoint e : b.getEndpointsList()) {
                if (e.getName().equals(BrokerEndpoints.INTERNAL)) {
                    probing.add(id);
                    // Once is enough; later it is probed when its heartbeat is late or it is reported again.
                    unheard.remove(id);
                    Integer reportedBy = reportedUnreachable.remove(id);
                    due.add(new Probe(id, e.getHost(), e.getPort(), last, reportedBy == null ? -1 : reportedBy));
                }
            }
        }
        return due;
    }

    /**
     * A probe's outcome: when its connection was refused and the broker has sent no heartbeat (nor registered)
     * since the probe was decided, it is gone and is fenced now; completes when that command is applied.
     */
    CompletableFuture<Void> probed(Probe probe, boolean refused) {
        int id = probe.brokerId();
        probing.remove(id);
        Optional<BrokerRegistration> broker = state.broker(id);
        Long last = lastHeartbeatMs.get(id);
        if (!refused
                || broker.isEmpty()
                || broker.get().getFenced()
                || fencingInFlight.contains(id)
                || last == null
                || last != probe.heartbeatMs()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info(
                "Fencing broker {}: no heartbeat for {} ms and nothing listens at {}:{} (connection refused){}",
                id,
                clock.millis() - last,
                probe.host(),
                probe.port(),
                probe.reportedBy() < 0 ? "" : "; broker " + probe.reportedBy() + " reported it unreachable");
        return fence(Set.of(id));
    }

    /** Registered, unfenced and not being fenced: may lead and be in ISRs. */
    IntPredicate alive() {
        return liveness(Set.of(), -1);
    }

    /** Alive: registered, unfenced and not in {@code dead}; or exactly {@code unfencing}. */
    private IntPredicate liveness(Set<Integer> dead, int unfencing) {
        Set<Integer> live = new HashSet<>();
        for (BrokerRegistration b : state.brokers()) {
            if (!b.getFenced() && !dead.contains(b.getBrokerId()) && !fencingInFlight.contains(b.getBrokerId())) {
                live.add(b.getBrokerId());
            }
        }
        if (unfencing >= 0) {
            live.add(unfencing);
        }
        return live::contains;
    }

    /** Alive brokers whose session is alive too: where new replicas may go. */
    List<Integer> placeableBrokers() {
        List<Integer> live = new ArrayList<>();
        IntPredicate alive = alive();
        long now = clock.millis();
        for (BrokerRegistration b : state.brokers()) {
            if (alive.test(b.getBrokerId()) && sessionAlive(b.getBrokerId(), now)) {
                live.add(b.getBrokerId());
            }
        }
        return live;
    }

    /**
     * Records the broker fenced. The same incarnation again is answered as registered (its endpoints updated
     * if they changed); another incarnation is refused while the old session is alive, else the old one is
     * fenced first.
     */
    CompletableFuture<RegisterBrokerResponse> register(RegisterBrokerRequest req) {
        Error invalid = RequestChecks.registration(req);
        if (!Errors.isOk(invalid)) {
            return CompletableFuture.completedFuture(
                    RegisterBrokerResponse.newBuilder().setError(invalid).build());
        }
        long now = clock.millis();
        int id = req.getBrokerId();
        Optional<BrokerRegistration> existing = state.broker(id);
        BrokerRegistration wanted = BrokerRegistration.newBuilder()
                .setBrokerId(id)
                .setIncarnationId(req.getIncarnationId())
                .addAllEndpoints(req.getEndpointsList())
                .setFenced(true)
                .build();
        List<MetadataRecord> records = new ArrayList<>();
        if (existing.isPresent() && existing.get().getIncarnationId().equals(req.getIncarnationId())) {
            heard(id, now);
            if (existing.get().getEndpointsList().equals(req.getEndpointsList())) {
                return CompletableFuture.completedFuture(RegisterBrokerResponse.newBuilder()
                        .setError(Errors.NONE)
                        .setMetadataVersion(state.version())
                        .build());
            }
            wanted = wanted.toBuilder().setFenced(existing.get().getFenced()).build();
        } else if (existing.isPresent() && !existing.get().getFenced()) {
            if (sessionAlive(id, now)) {
                return CompletableFuture.completedFuture(RegisterBrokerResponse.newBuilder()
                        .setError(Errors.of(
                                ErrorCode.DUPLICATE_BROKER_REGISTRATION,
                                "broker " + id + " is already registered with incarnation "
                                        + existing.get().getIncarnationId() + " and its session is alive; retry after "
                                        + sessionTimeoutMs + " ms if that process is gone"))
                        .build());
            }
            records.addAll(decisions.fence(Set.of(id), liveness(Set.of(id), -1)));
        }
        records.add(MetadataRecord.newBuilder()
                .setRegisterBroker(RegisterBrokerRecord.newBuilder().setRegistration(wanted))
                .build());
        shuttingDown.remove(id);
        return commit.records(records).thenApply(r -> {
            if (Errors.isOk(r.getError())) {
                heard(id, clock.millis());
            }
            return RegisterBrokerResponse.newBuilder()
                    .setError(r.getError())
                    .setMetadataVersion(r.getMetadataVersion())
                    .build();
        });
    }

    /** Keeps the session alive; the first heartbeat of a fenced broker unfences it (not in controlled shutdown). */
    CompletableFuture<BrokerHeartbeatResponse> heartbeat(BrokerHeartbeatRequest req) {
        Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
        Error error = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
        if (!Errors.isOk(error)) {
            return CompletableFuture.completedFuture(BrokerHeartbeatResponse.newBuilder()
                    .setError(error)
                    .setFenced(true)
                    .build());
        }
        error = RequestChecks.unreachableBrokers(req, state.brokers().size());
        if (!Errors.isOk(error)) {
            return CompletableFuture.completedFuture(BrokerHeartbeatResponse.newBuilder()
                    .setError(error)
                    .setFenced(broker.get().getFenced())
                    .build());
        }
        BrokerRegistration b = broker.get();
        heard(b.getBrokerId(), clock.millis());
        for (int reported : req.getUnreachableBrokersList()) {
            if (reported != b.getBrokerId() && state.broker(reported).isPresent()) {
                reportedUnreachable.put(reported, b.getBrokerId());
            }
        }
        if (!b.getFenced() || shuttingDown.contains(b.getBrokerId()) || fencingInFlight.contains(b.getBrokerId())) {
            return CompletableFuture.completedFuture(BrokerHeartbeatResponse.newBuilder()
                    .setError(Errors.NONE)
                    .setFenced(b.getFenced())
                    .setMetadataVersion(state.version())
                    .build());
        }
        return commit.records(decisions.unfence(b, liveness(Set.of(), b.getBrokerId())))
                .thenApply(r -> BrokerHeartbeatResponse.newBuilder()
                        .setError(r.getError())
                        .setFenced(!Errors.isOk(r.getError()))
                        .setMetadataVersion(r.getMetadataVersion())
                        .build());
    }

    /** Fences the broker at once, so its leaderships move; it stays fenced until it registers again. */
    CompletableFuture<ControlledShutdownResponse> controlledShutdown(ControlledShutdownRequest req) {
        Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
        Error error = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
        if (!Errors.isOk(error)) {
            return CompletableFuture.completedFuture(
                    ControlledShutdownResponse.newBuilder().setError(error).build());
        }
        int id = req.getBrokerId();
        shuttingDown.add(id);
        if (broker.get().getFenced()) {
            return CompletableFuture.completedFuture(ControlledShutdownResponse.newBuilder()
                    .setError(Errors.NONE)
                    .setRemainingLeaderships(leaderships(id))
                    .build());
        }
        return commit.records(decisions.fence(Set.of(id), liveness(Set.of(id), -1)))
                .thenApply(r -> ControlledShutdownResponse.newBuilder()
                        .setError(r.getError())
                        .setRemainingLeaderships(leaderships(id))
                        .build());
    }

    private int leaderships(int brokerId) {
        int n = 0;
        for (PartitionRecord p : state.allPartitions()) {
            if (p.getLeader() == brokerId) {
                n++;
            }
        }
        return n;
    }
}
