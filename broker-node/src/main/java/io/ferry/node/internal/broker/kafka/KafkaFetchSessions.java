package io.ferry.node.internal.broker.kafka;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka consumers' fetch sessions (KIP-227), broker-wide as in Kafka: a consumer's full fetch opens one and
 * gets its id; its later fetches carry the id and the next epoch, name only the partitions whose position
 * changed and list the ones dropped, and get back only partitions with news (records, a moved high watermark
 * or log start, an error). A consumer of many partitions then sends and receives a few bytes per idle fetch
 * instead of naming every partition each time.
 *
 * <p>Bounded, since any client may open sessions: at most {@link #MAX_SESSIONS} sessions holding at most
 * {@link #MAX_PARTITIONS} partitions together; a new session that does not fit evicts the least recently used
 * ones (whose owners get FETCH_SESSION_ID_NOT_FOUND and start over with a full fetch, as kafka-clients does),
 * and one larger than the whole bound is not opened (the fetch is answered without a session). Session ids
 * are random, so one client cannot guess another's. Thread-safe.
 */
final class KafkaFetchSessions {

    /** Kafka's {@code max.incremental.fetch.session.cache.slots} default. */
    static final int MAX_SESSIONS = 1_000;

    /** Partitions all sessions may hold together: what a session costs is a map entry per partition. */
    static final int MAX_PARTITIONS = 200_000;

    /** Kafka's epochs: 0 opens a session (or a full fetch within none), -1 closes one (or fetches without). */
    private static final int INITIAL_EPOCH = 0;

    private static final int FINAL_EPOCH = -1;

    /** One partition's position as the consumer last named it, and what it was last told about it. */
    static final class Position {
        long fetchOffset;
        int maxBytes;
        int leaderEpoch;
        long toldHighWatermark = -1;
        long toldLogStart = -1;

        Position(FetchRequestData.FetchPartition p) {
            update(p);
        }

        void update(FetchRequestData.FetchPartition p) {
            fetchOffset = p.fetchOffset();
            maxBytes = p.partitionMaxBytes();
            leaderEpoch = p.currentLeaderEpoch();
        }
    }

    record Key(String topic, int partition) {}

    /** One partition to read: a copy of its position, taken under the lock. */
    record Read(Key key, long fetchOffset, int maxBytes, int leaderEpoch) {}

    /** One session: its partitions in the order the consumer named them, and the epoch it must send next. */
    static final class Session {
        final int id;
        final LinkedHashMap<Key, Position> partitions = new LinkedHashMap<>();
        int nextEpoch = 1;

        Session(int id) {
            this.id = id;
        }
    }

    /**
     * What to fetch for one request.
     *
     * @param error       a refusal of the whole request (unknown session, wrong epoch), else null
     * @param session     the session the answer belongs to, or null for an answer without one
     * @param incremental whether the answer lists only partitions with news
     * @param reads       every partition to read, with its position
     */
    record Plan(Errors error, Session session, boolean incremental, List<Read> reads) {

        /** The session id the answer carries: 0 for none. */
        int sessionId() {
            return session == null ? KafkaFetch.NO_SESSION : session.id;
        }
    }

    /** Least recently used first. */
    private final LinkedHashMap<Integer, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    private int partitionCount;

    synchronized Plan plan(FetchRequestData request) {
        int id = request.sessionId();
        int epoch = request.sessionEpoch();
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            // A full fetch: it ends the session it names, if any, and opens a new one unless it is the final one.
            if (id != KafkaFetch.NO_SESSION) {
                remove(id);
            }
            Map<Key, Position> named = named(request);
            Session opened = epoch == INITIAL_EPOCH ? open(named) : null;
            return new Plan(null, opened, false, reads(named));
        }
        Session session = id == KafkaFetch.NO_SESSION ? null : sessions.get(id);
        if (session == null) {
            return new Plan(Errors.FETCH_SESSION_ID_NOT_FOUND, null, false, List.of());
        }
        if (epoch != session.nextEpoch) {
            return new Plan(Errors.INVALID_FETCH_SESSION_EPOCH, null, false, List.of());
        }
        for (FetchRequestData.ForgottenTopic forgotten : request.forgottenTopicsData()) {
            for (int partition : forgotten.partitions()) {
                if (session.partitions.remove(new Key(forgotten.topic(), partition)) != null) {
                    partitionCount--;
                }
            }
        }
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                Position known = session.partitions.get(new Key(topic.topic(), p.partition()));
                if (known != null) {
                    known.update(p);
                } else if (partitionCount < MAX_PARTITIONS) {
                    session.partitions.put(new Key(topic.topic(), p.partition()), new Position(p));
                    partitionCount++;
                } else {
                    // No room for it: the consumer starts over with a full fetch, which may evict others.
                    remove(id);
                    return new Plan(Errors.FETCH_SESSION_ID_NOT_FOUND, null, false, List.of());
                }
            }
        }
        session.nextEpoch = session.nextEpoch == Integer.MAX_VALUE ? 1 : session.nextEpoch + 1;
        return new Plan(null, session, true, reads(session.partitions));
    }

    private static List<Read> reads(Map<Key, Position> positions) {
        List<Read> reads = new ArrayList<>(positions.size());
        positions.forEach((key, p) -> reads.add(new Read(key, p.fetchOffset, p.maxBytes, p.leaderEpoch)));
        return reads;
    }

    /** The partitions a request names, in its order; a partition named twice keeps its last position. */
    private static Map<Key, Position> named(FetchRequestData request) {
        Map<Key, Position> named = new LinkedHashMap<>();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                named.put(new Key(topic.topic(), p.partition()), new Position(p));
            }
        }
        return named;
    }

    private Session open(Map<Key, Position> named) {
        if (named.size() > MAX_PARTITIONS) {
            return null;
        }
        Iterator<Session> oldest = sessions.values().iterator();
        while (oldest.hasNext()
                && (sessions.size() >= MAX_SESSIONS || partitionCount + named.size() > MAX_PARTITIONS)) {
            partitionCount -= oldest.next().partitions.size();
            oldest.remove();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        Session session = new Session(id);
        session.partitions.putAll(named);
        sessions.put(id, session);
        partitionCount += named.size();
        return session;
    }

    private void remove(int id) {
        Session removed = sessions.remove(id);
        if (removed != null) {
            partitionCount -= removed.partitions.size();
        }
    }

    /**
     * Whether an incremental answer includes a partition: it has records or an error, or its high watermark or
     * log start moved since the consumer was last told; records what it is told now. A full answer includes
     * every partition and records them all.
     */
    synchronized boolean tell(Plan plan, Key key, long highWatermark, long logStart, boolean news) {
        Position position =
                plan.session() == null ? null : plan.session().partitions.get(key);
        if (position == null) {
            return true;
        }
        boolean moved = position.toldHighWatermark != highWatermark || position.toldLogStart != logStart;
        position.toldHighWatermark = highWatermark;
        position.toldLogStart = logStart;
        return !plan.incremental() || news || moved;
    }

    /** Sessions open now, for tests. */
    synchronized int size() {
        return sessions.size();
    }
}
