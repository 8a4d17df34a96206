package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.InvalidTopicException;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>A topic whose partitions a view shares with the view reconciled before (views copy only the topics a
 * change touched) is skipped, as long as nothing else added or removed a hosted partition since: at 10,000
 * partitions, walking them all took a broker about as long per view as the rest of applying it.
 *
 * <p>Not thread-safe: the broker's metadata thread is the only caller.
 */
public final class PartitionReconciler {

    private static final Logger log = LoggerFactory.getLogger(PartitionReconciler.class);

    private final int brokerId;
    private final ReplicaManager replicaManager;
    /** The view the last reconciliation that completed made the partitions match; null before one. */
    private BrokerMetadata lastReconciled;
    /** {@link ReplicaManager#hostedPartitionsChanges()} when that reconciliation completed. */
    private long hostedChangesThen = -1;

    public PartitionReconciler(int brokerId, ReplicaManager replicaManager) {
        this.brokerId = brokerId;
        this.replicaManager = replicaManager;
    }

    /**
     * What one reconciliation did.
     *
     * @param topicsWalked the topics whose partitions it compared (those of the view that changed, or all)
     * @param applied      partitions whose leader and ISR it applied
     * @param removed      partitions it removed with their logs
     */
    public record Result(int topicsWalked, int applied, int removed) {}

    /**
     * Applies the difference from {@code previous} to {@code next}.
     *
     * @param hostedOnDisk partitions with a log on disk; on the first view, those it does not assign to this
     *                     broker are stale (deleted while it was down) and removed
     */
    public Result reconcile(BrokerMetadata previous, BrokerMetadata next, Set<TopicPartition> hostedOnDisk) {
        Set<Integer> fenced = fencedBrokers(next);
        if (!fenced.equals(fencedBrokers(previous))) {
            log.info("Fenced brokers are now {} (metadata version {})", fenced, next.version());
        }
        replicaManager.setFencedBrokers(fenced);
        // Skipping unchanged topics is sound only from the view the partitions were last made to match, with no
        // partition added or removed since by anyone else.
        boolean incremental = previous == lastReconciled
                && hostedOnDisk.isEmpty()
                && replicaManager.hostedPartitionsChanges() == hostedChangesThen;
        lastReconciled = null;
        Map<TopicPartition, LeaderAndIsr> changed = new LinkedHashMap<>();
        int topicsWalked = 0;
        for (Map.Entry<String, Map<Integer, PartitionRecord>> topic :
                next.partitions().entrySet()) {
            if (incremental && unchanged(topic.getKey(), previous, next)) {
                continue;
            }
            topicsWalked++;
            for (PartitionRecord p : topic.getValue().values()) {
                TopicPartition tp = assignedHere(p);
                if (tp == null) {
                    continue;
                }
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
        int removed = 0;
        for (TopicPartition tp : incremental ? assignedInChangedTopics(previous, next) : hosted(hostedOnDisk)) {
            if (next.partition(tp.topic(), tp.partition())
                    .map(p -> assignedHere(p) != null)
                    .orElse(false)) {
                continue;
            }
            log.info(
                    "Removing partition {}: its topic was deleted or it is no longer assigned to broker {}",
                    tp,
                    brokerId);
            replicaManager.removePartition(tp, true);
            removed++;
        }
        lastReconciled = next;
        hostedChangesThen = replicaManager.hostedPartitionsChanges();
        return new Result(topicsWalked, changed.size(), removed);
    }

    /**
     * The partitions that may have become stale, when reconciling incrementally: the hosted ones are exactly those
     * {@code previous} assigned here, and only the topics {@code next} changed or dropped can have moved them.
     */
    private List<TopicPartition> assignedInChangedTopics(BrokerMetadata previous, BrokerMetadata next) {
        List<TopicPartition> assigned = new ArrayList<>();
        previous.partitions().forEach((topic, byNumber) -> {
            if (!unchanged(topic, previous, next)) {
                for (PartitionRecord p : byNumber.values()) {
                    TopicPartition tp = assignedHere(p);
                    if (tp != null) {
                        assigned.add(tp);
                    }
                }
            }
        });
        return assigned;
    }

    /** Every partition hosted now or with a log on disk. */
    private Set<TopicPartition> hosted(Set<TopicPartition> hostedOnDisk) {
        Set<TopicPartition> hosted = new HashSet<>(hostedOnDisk);
        hosted.addAll(replicaManager.hostedPartitions());
        return hosted;
    }

    /** Whether both views hold the same partitions of {@code topic}, shared, not copied. */
    private static boolean unchanged(String topic, BrokerMetadata previous, BrokerMetadata next) {
        Map<Integer, PartitionRecord> now = next.partitions().get(topic);
        return now != null && now == previous.partitions().get(topic);
    }

    /** The partition of {@code p} if this broker is one of its replicas; null otherwise. */
    private TopicPartition assignedHere(PartitionRecord p) {
        if (!p.getReplicasList().contains(brokerId)) {
            return null;
        }
        try {
            return new TopicPartition(p.getTopic(), p.getPartition());
        } catch (InvalidTopicException e) {
            log.warn("Ignoring partition {} of a topic whose name is not a valid directory name", p.getPartition());
            return null;
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
