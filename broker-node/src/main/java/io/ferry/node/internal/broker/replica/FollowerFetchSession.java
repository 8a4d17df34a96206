package io.ferry.node.internal.broker.replica;

import io.ferry.node.internal.broker.wire.FetchSessionEpoch;
import io.ferry.node.internal.broker.wire.ReplicaFetchAnswer;
import io.ferry.proto.v1.ForgottenTopic;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.ferry.replication.FetchParams;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.storage.TopicPartition;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The follower's half of its fetch session with one leader (Kafka's KIP-227; the leader's half is the broker
 * handler's {@code ReplicaFetchSession}): the positions the leader holds for this follower, so that a request
 * names only the partitions whose position moved and those that left. A request is full, and opens a new
 * session, when there is none, when the fetcher asks for it, and after any request that failed or whose session
 * the leader refused: a failed request may or may not have reached the leader, so nothing of it can be assumed.
 *
 * <p>Thread-safe. Its fetcher sends one request at a time; an answer counts only if no request was built after
 * its own, so a late answer of a request the fetcher abandoned changes nothing.
 */
final class FollowerFetchSession {

    /** One request as built, and what its answer applies to. */
    record Request(ReplicaFetchRequest message, long number, boolean full) {}

    /** 0 while the next request must be full. */
    private int sessionId;

    private int epoch;
    private final Map<TopicPartition, ReplicaFetchPartition> held = new HashMap<>();
    private long requests;

    /**
     * The next request, naming every partition of {@code positions} if it is full, or else only those whose
     * position differs from the one the leader holds, and forgetting the ones no longer among them.
     */
    synchronized Request request(
            int replicaId, FetchParams params, List<ReplicaFetchPartition> positions, boolean fullRequest) {
        requests++;
        boolean full = fullRequest || sessionId == 0;
        ReplicaFetchRequest.Builder request = ReplicaFetchRequest.newBuilder()
                .setReplicaId(replicaId)
                .setMaxWaitMs((int) params.maxWaitMs())
                .setMinBytes(params.minBytes())
                .setMaxBytes(params.maxBytes());
        if (full) {
            sessionId = 0;
            held.clear();
        } else {
            request.setSessionId(sessionId).setSessionEpoch(epoch);
        }
        Map<String, ReplicaFetchTopic.Builder> topics = new LinkedHashMap<>();
        Set<TopicPartition> now = full ? Set.of() : new HashSet<>();
        for (ReplicaFetchPartition p : positions) {
            if (!full) {
                now.add(p.tp());
            }
            if (p.equals(held.put(p.tp(), p))) {
                continue;
            }
            topics.computeIfAbsent(
                            p.tp().topic(), t -> ReplicaFetchTopic.newBuilder().setTopic(t))
                    .addPartitions(io.ferry.proto.v1.ReplicaFetchPartition.newBuilder()
                            .setPartition(p.tp().partition())
                            .setFetchOffset(p.fetchOffset())
                            .setCurrentLeaderEpoch(p.currentLeaderEpoch())
                            .setLastFetchedEpoch(p.lastFetchedEpoch())
                            .setPartitionMaxBytes(p.maxBytes()));
        }
        topics.values().forEach(request::addTopics);
        if (!full) {
            Map<String, ForgottenTopic.Builder> forgotten = new LinkedHashMap<>();
            for (Iterator<TopicPartition> it = held.keySet().iterator(); it.hasNext(); ) {
                TopicPartition tp = it.next();
                if (!now.contains(tp)) {
                    it.remove();
                    forgotten
                            .computeIfAbsent(
                                    tp.topic(), t -> ForgottenTopic.newBuilder().setTopic(t))
                            .addPartitions(tp.partition());
                }
            }
            forgotten.values().forEach(request::addForgottenTopics);
        }
        return new Request(request.build(), requests, full);
    }

    /**
     * The leader answered {@code request}: a full one opened the session the answer names (none if 0), an
     * incremental one moved it to the next epoch. A partition the leader refused is named again next time.
     */
    synchronized void answered(Request request, ReplicaFetchAnswer answer) {
        if (request.number() != requests) {
            return;
        }
        if (answer.sessionRefused()) {
            sessionId = 0;
            return;
        }
        if (request.full()) {
            sessionId = answer.sessionId();
            epoch = FetchSessionEpoch.FIRST;
        } else {
            epoch = FetchSessionEpoch.next(epoch);
        }
        answer.partitions().forEach((tp, result) -> {
            if (result.error() != null) {
                held.remove(tp);
            }
        });
    }

    /** {@code request} failed or was abandoned: the next request is full. */
    synchronized void failed(Request request) {
        if (request.number() == requests) {
            sessionId = 0;
        }
    }
}
