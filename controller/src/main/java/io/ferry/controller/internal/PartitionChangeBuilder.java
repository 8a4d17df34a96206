package io.ferry.controller.internal;

import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Decides, purely, how one partition changes given which brokers are alive: the new ISR, the new
 * leader and the bumped epochs, or nothing when the partition stays as it is.
 *
 * <p>Rules: dead brokers leave the ISR, except that the last ISR member stays (it is the only one
 * known to hold every committed record, so it must lead again when it returns). A live leader that
 * is still in the ISR keeps leading, unless a preferred-leader election asks for the first replica.
 * Otherwise the first live ISR member in replica order leads; with none, the partition is offline
 * ({@link #NO_LEADER}) unless unclean election is allowed, which picks the first live replica and
 * makes it the whole ISR. A leader change bumps the leader epoch and the partition epoch; any other
 * change bumps the partition epoch only.
 *
 * <p>Not thread-safe; build one per decision.
 */
public final class PartitionChangeBuilder {
    /** The leader id of a partition that has none. */
    public static final int NO_LEADER = -1;

    private final PartitionRecord current;
    private final IntPredicate alive;
    private boolean uncleanElection;
    private boolean preferPreferredLeader;
    private List<Integer> targetIsr;

    /**
     * @param current the partition as committed
     * @param alive whether a broker may lead or stay in the ISR (registered, unfenced, not being fenced)
     */
    public PartitionChangeBuilder(PartitionRecord current, IntPredicate alive) {
        this.current = current;
        this.alive = alive;
    }

    public PartitionChangeBuilder uncleanElection(boolean enabled) {
        this.uncleanElection = enabled;
        return this;
    }

    /** Move leadership to the first replica when it is alive and in the ISR. */
    public PartitionChangeBuilder preferredLeaderElection() {
        this.preferPreferredLeader = true;
        return this;
    }

    /** The ISR the leader asks for (alter-partition); the caller has checked it contains the leader. */
    public PartitionChangeBuilder targetIsr(List<Integer> isr) {
        this.targetIsr = List.copyOf(isr);
        return this;
    }

    /** The change to propose, or empty when the partition would not change. */
    public Optional<PartitionChangeRecord> build() {
        List<Integer> isr = new ArrayList<>();
        for (int b : targetIsr != null ? targetIsr : current.getIsrList()) {
            if (alive.test(b)) {
                isr.add(b);
            }
        }
        if (isr.isEmpty()) {
            isr = new ArrayList<>(current.getIsrList());
        }
        int leader = chooseLeader(isr);
        if (leader == NO_LEADER && uncleanElection) {
            for (int r : current.getReplicasList()) {
                if (alive.test(r)) {
                    leader = r;
                    isr = new ArrayList<>(List.of(r));
                    break;
                }
            }
        }
        boolean leaderChanged = leader != current.getLeader();
        if (!leaderChanged && isr.equals(current.getIsrList())) {
            return Optional.empty();
        }
        PartitionRecord next = current.toBuilder()
                .clearIsr()
                .addAllIsr(isr)
                .setLeader(leader)
                .setLeaderEpoch(current.getLeaderEpoch() + (leaderChanged ? 1 : 0))
                .setPartitionEpoch(current.getPartitionEpoch() + 1)
                .build();
        return Optional.of(PartitionChangeRecord.newBuilder()
                .setPartition(next)
                .setExpectedPartitionEpoch(current.getPartitionEpoch())
                .build());
    }

    private int chooseLeader(List<Integer> isr) {
        int preferred = current.getReplicas(0);
        if (preferPreferredLeader && alive.test(preferred) && isr.contains(preferred)) {
            return preferred;
        }
        int leader = current.getLeader();
        if (leader != NO_LEADER && alive.test(leader) && isr.contains(leader)) {
            return leader;
        }
        for (int r : current.getReplicasList()) {
            if (alive.test(r) && isr.contains(r)) {
                return r;
            }
        }
        return NO_LEADER;
    }
}
