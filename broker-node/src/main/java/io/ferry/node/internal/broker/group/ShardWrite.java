package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.Write;

/**
 * An operation that may change groups: it decides on the shard, at the time given (ms since the epoch), and
 * changes nothing itself; the coordinator appends and replays the records of its {@link Write}.
 */
@FunctionalInterface
public interface ShardWrite<T> {
    Write<T> apply(CoordinatorShard shard, long nowMs);
}
