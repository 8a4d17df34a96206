package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the partitions this broker hosts match a new metadata view: partitions it is a replica of get
 * their leader and ISR applied (creating the log on first sight); partitions of deleted topics, of a
 * topic recreated under a new id, or no longer assigned to it are removed with their logs. The fenced
 * brokers of the view go to the replica manager first, which refuses their fetches as leader.
 *
 * <p>Not thread-safe: the broker's metadata thread is the only caller.
 */
public final class PartitionReconciler {

    private static final Logger log = LoggerFactory.getLogger(PartitionReconciler.class);

    private final int brokerId;
    private final ReplicaManager replicaManager;

    public PartitionReconciler(int brokerId, ReplicaManager replicaManager) {
        this.brokerId = brokerId;
        this.replicaManager = replicaManager;
    }

    /**
     * Applies the difference from {@code previous} to {@code next}.
     *
     * @param hostedOnDisk partitions with a log on disk; on the first view, those it does not assign to this
     *                     broker are stale (deleted while it was down) and removed
     */
    public void reconcile(BrokerMetadata previous, BrokerMetadata next, Set<TopicPartition> hostedOnDisk) {
        Set<Integer> fenced = fencedBrokers(next);
        if (!fenced.equals(fencedBrokers(previous))) {
            log.info("Fenced brokers are now {} (metadata version {})", fenced, next.version());
        }
        replicaManager.setFencedBrokers(fenced);
        Set<TopicPartition> assigned = new HashSet<>();
        Map<TopicPartition, LeaderAndIsr> changed = new LinkedHashMap<>();
        for (Map<Integer, PartitionRecord> byNumber : next.partitions().values()) {
            for (PartitionRecord p : byNumber.values()) {
                if (!p.getReplicasList().contains(brokerId)) {
                    continue;
                }
                TopicPartition tp;
                try {
                    tp = new TopicPartition(p.getTopic(), p.getPartition());
                } catch (InvalidTopicException e) {
                    log.warn(
                            "Ignoring partition {} of a topic whose name is not a valid directory name",
                            p.getPartition());
                    continue;
                }
                assigned.add(tp);
                PartitionRecord before =
                        previous.partition(p.getTopic(), p.getPartition()).orElse(null);
                boolean recreated = before != null && !before.getTopicId().equals(p.getTopicId());
                if (recreated) {
                    replicaManager.removePartition(tp, true);
                }
                if (recreated
                        || !p.equals(before)
                        || replicaManager.partition(tp).isEmpty()) {
                    changed.put(tp, leaderAndIsr(p));
                }
            }
        }
        replicaManager.applyPartitionStates(changed);
        Set<TopicPartition> stale = new HashSet<>(hostedOnDisk);
        stale.addAll(replicaManager.hostedPartitions());
        stale.removeAll(assigned);
        for (TopicPartition tp : stale) {
            log.info(
                    "Removing partition {}: its topic was deleted or it is no longer assigned to broker {}",
                    tp,
                    brokerId);
            replicaManager.removePartition(tp, true);
        }
    }

    private static Set<Integer> fencedBrokers(BrokerMetadata view) {
        return view.brokers().values().stream()
                .filter(BrokerRegistration::getFenced)
                .map(BrokerRegistration::getBrokerId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static LeaderAndIsr leaderAndIsr(PartitionRecord p) {
        return new LeaderAndIsr(
                p.getLeader(),
                Math.max(0, p.getLeaderEpoch()),
                Math.max(0, p.getPartitionEpoch()),
                p.getReplicasList(),
                p.getIsrList());
    }
}
