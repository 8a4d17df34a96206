package io.ferry.node.internal.broker.wire;

import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import java.util.Map;

/**
 * A ReplicaFetch answer as the follower receives it ({@link ReplicaFetchAnswerMarshaller}).
 *
 * @param error      NONE, or why the leader refused the request's fetch session (then no partition is answered)
 * @param sessionId  the fetch session the answer belongs to, 0 for none
 * @param partitions one result per partition the leader answered, each holding a lease the receiver releases
 */
public record ReplicaFetchAnswer(Error error, int sessionId, Map<TopicPartition, ReplicaFetchResult> partitions) {

    public boolean sessionRefused() {
        return error.getCode() != ErrorCode.NONE;
    }

    /** Gives back the buffer of every partition's records (an answer nobody will append). */
    public void release() {
        partitions.values().forEach(result -> result.lease().release());
    }
}
