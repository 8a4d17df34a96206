package io.ferry.node.internal.broker.handler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fetch sessions this leader holds, one per follower broker: a follower has one fetcher per leader, and its
 * next full request replaces its session. Only brokers the metadata view registers get one (the caller checks),
 * and a session holds only partitions the view knows, so the sessions are bounded by brokers × partitions
 * whatever a caller sends. Session ids are never reused while the broker runs, so a request of a replaced
 * session is refused however its epoch happens to line up.
 *
 * <p>Thread-safe.
 */
final class ReplicaFetchSessions {

    private final Map<Integer, ReplicaFetchSession> byReplica = new ConcurrentHashMap<>();
    private final AtomicInteger lastId = new AtomicInteger();

    /** A new session for {@code replicaId}, replacing its previous one. */
    ReplicaFetchSession open(int replicaId) {
        int id = lastId.updateAndGet(last -> last == Integer.MAX_VALUE ? 1 : last + 1);
        ReplicaFetchSession session = new ReplicaFetchSession(id);
        byReplica.put(replicaId, session);
        return session;
    }

    /** The session {@code sessionId} of {@code replicaId}, or null if it holds no such session. */
    ReplicaFetchSession find(int replicaId, int sessionId) {
        ReplicaFetchSession session = byReplica.get(replicaId);
        return session != null && session.id() == sessionId ? session : null;
    }
}
