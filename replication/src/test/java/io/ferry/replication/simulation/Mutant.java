package io.ferry.replication.simulation;

import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.RequiredAcks;
import io.ferry.storage.EpochEntry;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ferry with one deliberate bug, each of a kind the simulation must catch, injected through a {@link Wiring}
 * seam so that no production class carries a test switch. {@link #breaks} names the invariants that may
 * report it first.
 */
enum Mutant implements Wiring {

    /** The leader answers acks=all as soon as its own log has the batch, as if the client had asked for acks=1. */
    ACKS_ALL_ANSWERED_ON_APPEND(Invariant.ACKNOWLEDGED_RECORDS_SURVIVE) {
        @Override
        public RequiredAcks acksAtLeader(RequiredAcks acks) {
            return acks == RequiredAcks.ALL ? RequiredAcks.LEADER : acks;
        }
    },

    /**
     * A follower never learns that its log diverges from the leader's: the answer reaches it without the
     * divergence (and without records), so it keeps its log as it is and goes on taking the leader's high
     * watermark. (A divergence answer that changes nothing is refused by the follower itself, so this bug
     * is injected where the answer arrives, not as a truncation that does nothing.)
     */
    FOLLOWER_IGNORES_DIVERGENCE(Invariant.CONSISTENT_BELOW_HIGH_WATERMARK) {
        @Override
        public LeaderClient leaderClient(LeaderClient client) {
            return (leaderId, replicaId, params, partitions, full, timeoutMs) -> client.fetch(
                            leaderId, replicaId, params, partitions, full, timeoutMs)
                    .thenApply(answers -> {
                        Map<TopicPartition, ReplicaFetchResult> hidden = new LinkedHashMap<>();
                        answers.forEach((tp, answer) -> {
                            if (answer.divergingEpoch() == null) {
                                hidden.put(tp, answer);
                                return;
                            }
                            answer.lease().release();
                            hidden.put(
                                    tp,
                                    new ReplicaFetchResult(
                                            null,
                                            answer.highWatermark(),
                                            answer.logStartOffset(),
                                            answer.logEndOffset(),
                                            null,
                                            ByteBuffer.allocate(0).asReadOnlyBuffer()));
                        });
                        return hidden;
                    });
        }
    },

    /**
     * The controller moves leadership without bumping the leader epoch: the new leader serves, at the epoch a
     * client already knows, a high watermark that may be below the one the old leader served.
     */
    LEADER_EPOCH_NOT_BUMPED(Invariant.MONOTONIC_HIGH_WATERMARK) {
        @Override
        public ControllerModel.Rules controllerRules() {
            return new ControllerModel.Rules(true, false);
        }
    },

    /**
     * A new leader cuts its log back to its high watermark, as replicas did before KIP-101: its high watermark,
     * learnt as a follower, lags the old leader's, so it drops batches that were committed. Whether the
     * acknowledgement of a dropped batch reached its producer before the cut decides which check sees it first.
     */
    NEW_LEADER_TRUNCATES_TO_HIGH_WATERMARK(
            Invariant.LEADERS_KEEP_COMMITTED_RECORDS, Invariant.ACKNOWLEDGED_RECORDS_SURVIVE) {
        @Override
        public void afterApplying(int broker, LeaderAndIsr state, Partition replica, MemoryReplicaLog log) {
            // Just elected: the new epoch starts at the log end, with nothing appended under it yet.
            List<EpochEntry> epochs = log.epochEntries();
            boolean justElected = replica.isLeaderAt(state.leaderEpoch())
                    && !epochs.isEmpty()
                    && epochs.get(epochs.size() - 1).equals(new EpochEntry(state.leaderEpoch(), log.logEndOffset()));
            if (justElected && replica.highWatermark() < log.logEndOffset()) {
                log.truncateTo(replica.highWatermark());
            }
        }
    };

    private final Set<Invariant> breaks;

    Mutant(Invariant... breaks) {
        this.breaks = Set.of(breaks);
    }

    /** The invariants one of which the simulation reports first for this mutant. */
    Set<Invariant> breaks() {
        return breaks;
    }
}
