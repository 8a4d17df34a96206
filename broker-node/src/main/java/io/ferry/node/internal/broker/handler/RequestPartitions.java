package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.handler.PartitionLookup.Found;
import io.ferry.node.internal.broker.handler.PartitionLookup.Refused;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.storage.TopicPartition;
import java.util.HashSet;
import java.util.Set;

/**
 * The partitions of one request, resolved in request order against one metadata view
 * ({@link PartitionLookup}), with every naming of a partition after its first refused INVALID_REQUEST.
 * A request that named a partition twice would be served twice from one read: a fetch naming one
 * partition 2,000 times answered 2,000 copies of the same records, enough to exhaust the heap.
 *
 * <p>Not thread-safe: one per request, used by the thread that handles it.
 */
final class RequestPartitions {

    private final BrokerMetadata view;
    private final Set<TopicPartition> named = new HashSet<>();

    RequestPartitions(BrokerMetadata view) {
        this.view = view;
    }

    /**
     * The partition if the view knows it and the request has not named it before; otherwise a typed error.
     *
     * @param invalid null, or the refusal of a field of the request or of this naming ({@link RequestFields}),
     *                which is the answer then
     */
    PartitionLookup.Result resolve(String topic, int partition, Error invalid) {
        if (invalid != null) {
            return new Refused(invalid);
        }
        PartitionLookup.Result lookup = PartitionLookup.resolve(view, topic, partition);
        if (lookup instanceof Found found && !named.add(found.tp())) {
            return new Refused(PartitionLookup.error(
                    ErrorCode.INVALID_REQUEST,
                    "partition " + found.tp() + " appears more than once in one request; name each partition once"));
        }
        return lookup;
    }
}
