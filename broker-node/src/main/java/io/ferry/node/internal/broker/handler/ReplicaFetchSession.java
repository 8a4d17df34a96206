package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.wire.FetchSessionEpoch;
import io.ferry.replication.ReplicaFetchPartition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's half of one follower's fetch session (Kafka's KIP-227): the position of every partition the
 * follower fetches here, as its requests last named it, and what the last answer told it of each. An
 * incremental request names only the positions that moved; the session fills in the rest, so the follower's
 * state on the leader is recorded for every partition each round as with a full request. The answer leaves
 * out what the follower already knows: a follower of 20 partitions with records arriving in one sends and
 * receives one partition per round instead of 20.
 *
 * <p>Thread-safe: a request is accepted on the thread that reads it, its answer may be built on the thread that
 * completes a long-poll.
 */
final class ReplicaFetchSession {

    /** The session id of a follower the leader keeps no session for: every request of it is full. */
    static final int NONE = 0;

    /** An offset no answer carries: the partition has not been answered in this session. */
    private static final long UNANSWERED = Long.MIN_VALUE;

    private static final class Held {
        ReplicaFetchPartition position;
        /** Named in the request being answered: answered whether or not anything changed. */
        boolean named;

        long highWatermark = UNANSWERED;
        long logStartOffset = UNANSWERED;
        long logEndOffset = UNANSWERED;
    }

    private final int id;
    private final Map<TopicPartition, Held> partitions = new LinkedHashMap<>();
    private int nextEpoch = FetchSessionEpoch.FIRST;

    ReplicaFetchSession(int id) {
        this.id = id;
    }

    int id() {
        return id;
    }

    /** Takes an incremental request's epoch: true, and the next one expected, if it is the one expected now. */
    synchronized boolean accept(int epoch) {
        if (epoch != nextEpoch) {
            return false;
        }
        nextEpoch = FetchSessionEpoch.next(epoch);
        return true;
    }

    /** The epoch an incremental request must carry next. */
    synchronized int expectedEpoch() {
        return nextEpoch;
    }

    /** A position the request named: added to the session, or replacing the one it had; answered this round. */
    synchronized void named(ReplicaFetchPartition position) {
        Held held = partitions.computeIfAbsent(position.tp(), tp -> new Held());
        held.position = position;
        held.named = true;
    }

    /** A partition the request removed from the session. */
    synchronized void forget(TopicPartition tp) {
        partitions.remove(tp);
    }

    /** Every position the session holds, in the order they joined it: what this round reads. */
    synchronized List<ReplicaFetchPartition> positions() {
        List<ReplicaFetchPartition> positions = new ArrayList<>(partitions.size());
        partitions.values().forEach(held -> positions.add(held.position));
        return positions;
    }

    /**
     * Whether the answer for {@code tp} goes to the follower: it was named in this request, or carries records,
     * an error or a divergence, or an offset other than the session last sent. Records it as sent if so.
     *
     * @param withRecords whether the answer's records fit in the room it got (records left out are read again
     *                    next round, as the follower's position did not move)
     */
    synchronized boolean answer(TopicPartition tp, ReplicaFetchResult result, boolean withRecords) {
        Held held = partitions.get(tp);
        if (held == null) {
            return true; // forgotten by a request of the same session since this round read it: answered as read
        }
        boolean news = held.named
                || result.error() != null
                || result.divergingEpoch() != null
                || (withRecords && result.records().hasRemaining())
                || result.highWatermark() != held.highWatermark
                || result.logStartOffset() != held.logStartOffset
                || result.logEndOffset() != held.logEndOffset;
        held.named = false;
        if (news) {
            held.highWatermark = result.highWatermark();
            held.logStartOffset = result.logStartOffset();
            held.logEndOffset = result.logEndOffset();
        }
        return news;
    }
}
