package io.ferry.replication.simulation;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The controller quorum, as one node that never fails (Raft's guarantees are not what is tested here) but
 * that brokers reach over the faulty network. Its decisions follow Ferry's {@code ActiveController} and
 * {@code PartitionChangeBuilder}:
 *
 * <ul>
 *   <li>a broker's session expires {@code sessionTimeoutMs} after its last heartbeat and the broker is fenced:
 *       it leaves every ISR, except that the last members stay (they alone are known to hold every committed
 *       record), and partitions it led get the first live ISR member in replica order as leader, or none;
 *   <li>a heartbeat of a registered, fenced broker unfences it and elects it where a partition has no leader;
 *   <li>a restarted broker registers with a new incarnation: refused while the old incarnation's session is
 *       alive, and the old one is fenced first if it is not yet;
 *   <li>AlterPartition is a compare-and-set on the leader epoch and the partition epoch, from the leader,
 *       naming only live replicas;
 *   <li>every leader change bumps the leader epoch, every change the partition epoch; now and then the
 *       preferred (first) replica takes leadership back when it is alive and in the ISR;
 *   <li>every change is a new metadata version, pushed to every broker; brokers also ask for the latest.
 * </ul>
 *
 * <p>{@link Rules} break one of these on purpose, for the mutation tests.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class ControllerModel {

    /** The controller's node id on the network. */
    static final int NODE = 0;

    /**
     * Which of the controller's checks hold.
     *
     * @param checksPartitionEpoch AlterPartition compares the partition epoch (else a stale ISR change applies)
     * @param bumpsLeaderEpoch     a leader change bumps the leader epoch (else two leaderships share one)
     */
    record Rules(boolean checksPartitionEpoch, boolean bumpsLeaderEpoch) {
        static final Rules FERRY = new Rules(true, true);
    }

    /** What the brokers learn: every partition's state and who is fenced, at a version. */
    record MetadataView(long version, Map<TopicPartition, LeaderAndIsr> partitions, Set<Integer> fenced) {}

    /** Where the controller pushes new views. */
    interface Subscriber {
        int node();

        /** The broker's running incarnation, or null while it is down. */
        Lifetime lifetime();

        void onView(MetadataView view);
    }

    /** A registration answer: {@code error} is null when accepted, {@code version} the metadata it is part of. */
    record Registered(ErrorCode error, long version) {}

    /** An AlterPartition answer: the state after the change, or the error that refused it. */
    record Altered(ErrorCode error, LeaderAndIsr state) {}

    private static final class Registration {
        long incarnation;
        boolean fenced;
        long lastHeartbeatMs;

        Registration(long incarnation, boolean fenced, long lastHeartbeatMs) {
            this.incarnation = incarnation;
            this.fenced = fenced;
            this.lastHeartbeatMs = lastHeartbeatMs;
        }
    }

    private final EventQueue events;
    private final Network network;
    private final Rules rules;
    private final long sessionTimeoutMs;
    private final Trace trace;
    private final Lifetime lifetime = new Lifetime();
    private final Map<Integer, Registration> brokers = new TreeMap<>();
    private final Map<TopicPartition, LeaderAndIsr> partitions = new LinkedHashMap<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private long version;

    /**
     * A cluster whose brokers ({@code 1..brokerCount}, first incarnation 1) are registered and alive, and whose
     * partitions are led by their first replica with every replica in the ISR.
     */
    ControllerModel(
            EventQueue events,
            Network network,
            Rules rules,
            long sessionTimeoutMs,
            int brokerCount,
            Map<TopicPartition, List<Integer>> assignment,
            Trace trace) {
        this.events = events;
        this.trace = trace;
        this.network = network;
        this.rules = rules;
        this.sessionTimeoutMs = sessionTimeoutMs;
        for (int id = 1; id <= brokerCount; id++) {
            brokers.put(id, new Registration(1, false, events.nowMs()));
        }
        assignment.forEach(
                (tp, replicas) -> partitions.put(tp, new LeaderAndIsr(replicas.get(0), 0, 0, replicas, replicas)));
        version = 1;
    }

    Lifetime lifetime() {
        return lifetime;
    }

    void subscribe(Subscriber subscriber) {
        subscribers.add(subscriber);
    }

    /** Starts the periodic checks: session expiry every 100 ms, a preferred-leader election every few seconds. */
    void start(Random random) {
        every(100, this::expireSessions);
        every(2_000 + random.nextInt(8_000), this::electPreferredLeaders);
    }

    private void every(long periodMs, Runnable action) {
        events.schedule(periodMs, () -> {
            action.run();
            every(periodMs, action);
        });
    }

    LeaderAndIsr state(TopicPartition tp) {
        return partitions.get(tp);
    }

    MetadataView view() {
        Set<Integer> fenced = new TreeSet<>();
        brokers.forEach((id, r) -> {
            if (r.fenced) {
                fenced.add(id);
            }
        });
        return new MetadataView(
                version,
                Collections.unmodifiableMap(new LinkedHashMap<>(partitions)),
                Collections.unmodifiableSet(fenced));
    }

    private boolean alive(int broker) {
        Registration r = brokers.get(broker);
        return r != null && !r.fenced;
    }

    // ---- requests, each called on delivery; the answer goes back through the caller's consumer ----

    void register(int broker, long incarnation, Consumer<Registered> answer) {
        Registration existing = brokers.get(broker);
        trace.note(() -> "controller: broker " + broker + " registers incarnation " + incarnation);
        if (existing.incarnation != incarnation && !existing.fenced) {
            if (events.nowMs() - existing.lastHeartbeatMs <= sessionTimeoutMs) {
                answer.accept(new Registered(ErrorCode.DUPLICATE_BROKER_REGISTRATION, version));
                return;
            }
            fence(broker);
        }
        existing.incarnation = incarnation;
        existing.lastHeartbeatMs = events.nowMs();
        answer.accept(new Registered(null, version));
    }

    /** @param answer gets whether the heartbeat was accepted (false: register again) */
    void heartbeat(int broker, long incarnation, Consumer<Boolean> answer) {
        Registration r = brokers.get(broker);
        if (r.incarnation != incarnation) {
            answer.accept(false);
            return;
        }
        r.lastHeartbeatMs = events.nowMs();
        if (r.fenced) {
            r.fenced = false;
            for (Map.Entry<TopicPartition, LeaderAndIsr> e : partitions.entrySet()) {
                if (e.getValue().leader() == LeaderAndIsr.NO_LEADER) {
                    change(e.getValue(), null).ifPresent(e::setValue);
                }
            }
            publish();
        }
        answer.accept(true);
    }

    void fetchMetadata(Consumer<MetadataView> answer) {
        answer.accept(view());
    }

    void alterPartition(
            int broker,
            long incarnation,
            TopicPartition tp,
            int leaderEpoch,
            int partitionEpoch,
            List<Integer> newIsr,
            Consumer<Altered> answer) {
        Registration r = brokers.get(broker);
        LeaderAndIsr current = partitions.get(tp);
        ErrorCode refused = null;
        if (r.incarnation != incarnation) {
            refused = ErrorCode.UNKNOWN_BROKER;
        } else if (r.fenced) {
            refused = ErrorCode.BROKER_FENCED;
        } else if (leaderEpoch < current.leaderEpoch()) {
            refused = ErrorCode.FENCED_LEADER_EPOCH;
        } else if (leaderEpoch > current.leaderEpoch()) {
            refused = ErrorCode.UNKNOWN_LEADER_EPOCH;
        } else if (current.leader() != broker) {
            refused = ErrorCode.NOT_LEADER;
        } else if (rules.checksPartitionEpoch() && partitionEpoch != current.partitionEpoch()) {
            refused = ErrorCode.STALE_PARTITION_EPOCH;
        } else if (new HashSet<>(newIsr).size() != newIsr.size()
                || !newIsr.contains(broker)
                || !current.replicas().containsAll(newIsr)
                || !newIsr.stream().allMatch(this::alive)) {
            refused = ErrorCode.INVALID_REQUEST;
        }
        ErrorCode why = refused;
        trace.note(() -> "controller: broker " + broker + " asks ISR " + newIsr + " for " + tp + " at epochs "
                + leaderEpoch + "/" + partitionEpoch + (why == null ? "" : ": " + why));
        if (refused != null) {
            answer.accept(new Altered(refused, null));
            return;
        }
        Optional<LeaderAndIsr> changed = change(current, newIsr);
        if (changed.isPresent()) {
            partitions.put(tp, changed.get());
            publish();
        }
        answer.accept(new Altered(null, changed.orElse(current)));
    }

    // ---- the controller's own decisions ----

    private void expireSessions() {
        for (Map.Entry<Integer, Registration> e : brokers.entrySet()) {
            if (!e.getValue().fenced && events.nowMs() - e.getValue().lastHeartbeatMs > sessionTimeoutMs) {
                fence(e.getKey());
            }
        }
    }

    private void fence(int broker) {
        brokers.get(broker).fenced = true;
        for (Map.Entry<TopicPartition, LeaderAndIsr> e : partitions.entrySet()) {
            change(e.getValue(), null).ifPresent(e::setValue);
        }
        publish();
    }

    private void electPreferredLeaders() {
        boolean changed = false;
        for (Map.Entry<TopicPartition, LeaderAndIsr> e : partitions.entrySet()) {
            LeaderAndIsr current = e.getValue();
            int preferred = current.replicas().get(0);
            if (current.leader() != preferred
                    && alive(preferred)
                    && current.isr().contains(preferred)) {
                e.setValue(withLeader(current, preferred, current.isr()));
                changed = true;
            }
        }
        if (changed) {
            publish();
        }
    }

    /**
     * As {@code PartitionChangeBuilder}: the ISR asked for (or the current one) without dead brokers, all of
     * it kept if none is alive; the current leader if it is alive and in it, else the first live member in
     * replica order, else none.
     */
    private Optional<LeaderAndIsr> change(LeaderAndIsr current, List<Integer> targetIsr) {
        List<Integer> isr = new ArrayList<>();
        for (int b : targetIsr != null ? targetIsr : current.isr()) {
            if (alive(b)) {
                isr.add(b);
            }
        }
        if (isr.isEmpty()) {
            isr = current.isr();
        }
        int leader = LeaderAndIsr.NO_LEADER;
        if (current.leader() != LeaderAndIsr.NO_LEADER && alive(current.leader()) && isr.contains(current.leader())) {
            leader = current.leader();
        } else {
            for (int r : current.replicas()) {
                if (alive(r) && isr.contains(r)) {
                    leader = r;
                    break;
                }
            }
        }
        if (leader == current.leader() && isr.equals(current.isr())) {
            return Optional.empty();
        }
        return Optional.of(withLeader(current, leader, isr));
    }

    private LeaderAndIsr withLeader(LeaderAndIsr current, int leader, List<Integer> isr) {
        boolean leaderChanged = leader != current.leader();
        int leaderEpoch = current.leaderEpoch() + (leaderChanged && rules.bumpsLeaderEpoch() ? 1 : 0);
        return new LeaderAndIsr(leader, leaderEpoch, current.partitionEpoch() + 1, current.replicas(), isr);
    }

    private void publish() {
        version++;
        MetadataView view = view();
        trace.note(
                () -> "controller: version " + view.version() + ", fenced " + view.fenced() + ", " + view.partitions());
        for (Subscriber s : subscribers) {
            Lifetime receiver = s.lifetime();
            if (receiver != null) {
                network.send(NODE, s.node(), receiver, () -> s.onView(view));
            }
        }
    }
}
