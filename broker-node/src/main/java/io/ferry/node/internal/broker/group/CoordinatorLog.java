package io.ferry.node.internal.broker.group;

import io.ferry.replication.Partition;
import io.ferry.replication.ProduceOutcome;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.RequiredAcks;
import io.ferry.storage.Log;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a group coordinator needs of its {@code __consumer_offsets} partition on this broker: its log to
 * load from, replicated appends and the high watermark. The broker's is {@link #of}; a test's stand-in
 * decides when appends are replicated.
 */
interface CoordinatorLog {

    /** The partition's log on this broker, to load the groups from. */
    Optional<Log> log(TopicPartition tp);

    /**
     * Appends {@code batch} as the leader with acks=all. {@code done} runs once the in-sync replicas have
     * it or the append failed; a refusal may be answered on the calling thread before this returns.
     */
    void appendReplicated(TopicPartition tp, ByteBuffer batch, long timeoutMs, Consumer<ProduceOutcome> done);

    /** The partition's high watermark on this broker; -1 if the broker has no replica of it. */
    long highWatermark(TopicPartition tp);

    /** The offset after the last record of the partition's log on this broker; -1 if it has none. */
    default long logEndOffset(TopicPartition tp) {
        return log(tp).map(Log::logEndOffset).orElse(-1L);
    }

    /**
     * The largest batch the partition's log accepts ({@code max.message.bytes}); {@link Integer#MAX_VALUE} if
     * the broker has no log of it (an append is then refused whatever its size).
     */
    default int maxBatchBytes(TopicPartition tp) {
        return log(tp).map(l -> l.config().maxMessageBytes()).orElse(Integer.MAX_VALUE);
    }

    static CoordinatorLog of(ReplicaManager replicas, Function<TopicPartition, Optional<Log>> logs) {
        return new CoordinatorLog() {
            @Override
            public Optional<Log> log(TopicPartition tp) {
                return logs.apply(tp);
            }

            @Override
            public void appendReplicated(
                    TopicPartition tp, ByteBuffer batch, long timeoutMs, Consumer<ProduceOutcome> done) {
                replicas.appendRecords(
                        RequiredAcks.ALL, timeoutMs, Map.of(tp, batch), outcomes -> done.accept(outcomes.get(tp)));
            }

            @Override
            public long highWatermark(TopicPartition tp) {
                return replicas.partition(tp).map(Partition::highWatermark).orElse(-1L);
            }
        };
    }
}
