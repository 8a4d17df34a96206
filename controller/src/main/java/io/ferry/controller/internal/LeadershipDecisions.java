package io.ferry.controller.internal;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.FenceBrokerRecord;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.UnfenceBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Computes, purely, the records that move partition leadership when brokers die, return or
 * should lead again as preferred replicas. Reads the committed {@link MetadataState}; the caller
 * says who is alive. Each partition appears at most once in the result, as one command requires.
 */
final class LeadershipDecisions {
    private final MetadataState state;
    private final boolean uncleanElection;

    LeadershipDecisions(MetadataState state, boolean uncleanElection) {
        this.state = state;
        this.uncleanElection = uncleanElection;
    }

    /**
     * Fence records for {@code dead} plus the partition changes that take them out of ISRs and
     * leadership; {@code alive} must exclude them.
     */
    List<MetadataRecord> fence(Set<Integer> dead, IntPredicate alive) {
        List<MetadataRecord> records = new ArrayList<>();
        for (int id : dead) {
            state.broker(id)
                    .ifPresent(b -> records.add(MetadataRecord.newBuilder()
                            .setFenceBroker(FenceBrokerRecord.newBuilder()
                                    .setBrokerId(id)
                                    .setIncarnationId(b.getIncarnationId()))
                            .build()));
        }
        for (PartitionRecord p : state.allPartitions()) {
            if (dead.contains(p.getLeader()) || p.getIsrList().stream().anyMatch(dead::contains)) {
                change(new PartitionChangeBuilder(p, alive), records);
            }
        }
        return records;
    }

    /**
     * Unfence record for the broker plus leader elections for offline partitions it can lead;
     * {@code alive} must include it.
     */
    List<MetadataRecord> unfence(BrokerRegistration broker, IntPredicate alive) {
        int id = broker.getBrokerId();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(MetadataRecord.newBuilder()
                .setUnfenceBroker(
                        UnfenceBrokerRecord.newBuilder().setBrokerId(id).setIncarnationId(broker.getIncarnationId()))
                .build());
        for (PartitionRecord p : state.allPartitions()) {
            boolean eligible = p.getIsrList().contains(id)
                    || (uncleanElection && p.getReplicasList().contains(id));
            if (p.getLeader() == PartitionChangeBuilder.NO_LEADER && eligible) {
                change(new PartitionChangeBuilder(p, alive), records);
            }
        }
        return records;
    }

    /**
     * Changes for partitions whose leader or ISR does not match who is alive: what a fencing or an
     * unfencing left out because the partition moved on before it applied. Nothing once they are settled,
     * including for a partition whose only ISR member is dead (it stays offline until that broker returns).
     */
    List<MetadataRecord> settle(IntPredicate alive) {
        List<MetadataRecord> records = new ArrayList<>();
        for (PartitionRecord p : state.allPartitions()) {
            if (!alive.test(p.getLeader()) || !allAlive(p.getIsrList(), alive)) {
                change(new PartitionChangeBuilder(p, alive), records);
            }
        }
        return records;
    }

    // A loop, not a stream: runs over every partition at each liveness check.
    private static boolean allAlive(List<Integer> brokers, IntPredicate alive) {
        for (int b : brokers) {
            if (!alive.test(b)) {
                return false;
            }
        }
        return true;
    }

    /** Leadership moves to the first replica wherever it is alive and in the ISR but does not lead. */
    List<MetadataRecord> preferredLeaders(IntPredicate alive) {
        List<MetadataRecord> records = new ArrayList<>();
        for (PartitionRecord p : state.allPartitions()) {
            int preferred = p.getReplicas(0);
            if (p.getLeader() != preferred
                    && alive.test(preferred)
                    && p.getIsrList().contains(preferred)) {
                change(new PartitionChangeBuilder(p, alive).preferredLeaderElection(), records);
            }
        }
        return records;
    }

    private void change(PartitionChangeBuilder builder, List<MetadataRecord> records) {
        builder.uncleanElection(uncleanElection)
                .build()
                .ifPresent(c -> records.add(
                        MetadataRecord.newBuilder().setPartitionChange(c).build()));
    }
}
