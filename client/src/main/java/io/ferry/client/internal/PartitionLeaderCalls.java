package io.ferry.client.internal;

import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Blocking calls about many partitions that only a partition's leader answers (ListOffsets,
 * DeleteRecords): one request per leader, retrying the partitions that hit a retriable error (after a
 * metadata refresh) until the deadline. Holds no mutable state of its own; thread-safe as its
 * collaborators are.
 */
public final class PartitionLeaderCalls {

    /** One request to one leader about {@code partitions}, answered per partition. */
    @FunctionalInterface
    public interface Rpc<V, R> {
        Map<TopicPartition, R> call(BrokerServiceBlockingStub stub, Map<TopicPartition, V> partitions);
    }

    private final MetadataManager metadata;
    private final Channels channels;
    private final long requestTimeoutMs;

    public PartitionLeaderCalls(MetadataManager metadata, Channels channels, long requestTimeoutMs) {
        this.metadata = metadata;
        this.channels = channels;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /**
     * @param what    the call in an error message ("list offsets of")
     * @param values  what to ask per partition
     * @param errorOf a partition's error in its result
     * @return per partition, its leader's result
     * @throws FerryException        for a non-retriable error
     * @throws FerryTimeoutException when some partition has no answer by the deadline
     */
    public <V, R> Map<TopicPartition, R> call(
            String what,
            Map<TopicPartition, V> values,
            Rpc<V, R> rpc,
            Function<R, Error> errorOf,
            long deadlineNanos,
            long timeoutMs) {
        values.keySet().forEach(tp -> metadata.addTopic(tp.topic()));
        Map<TopicPartition, V> pending = new LinkedHashMap<>(values);
        Map<TopicPartition, R> done = new HashMap<>();
        String lastError = "no leader known";
        while (true) {
            ClusterView view = metadata.view();
            Map<Integer, Map<TopicPartition, V>> byLeader = new HashMap<>();
            for (Map.Entry<TopicPartition, V> e : pending.entrySet()) {
                int leader = view.leader(e.getKey());
                if (leader >= 0) {
                    byLeader.computeIfAbsent(leader, id -> new LinkedHashMap<>())
                            .put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<Integer, Map<TopicPartition, V>> e : byLeader.entrySet()) {
                long timeoutNanos = Math.max(
                        1,
                        Math.min(deadlineNanos - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs)));
                try {
                    Map<TopicPartition, R> answers = rpc.call(
                            BrokerServiceGrpc.newBlockingStub(channels.get(view.address(e.getKey())))
                                    .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS),
                            e.getValue());
                    for (Map.Entry<TopicPartition, R> answer : answers.entrySet()) {
                        TopicPartition tp = answer.getKey();
                        if (!e.getValue().containsKey(tp)) {
                            continue;
                        }
                        Error error = errorOf.apply(answer.getValue());
                        if (error.getCode() == ErrorCode.NONE) {
                            done.put(tp, answer.getValue());
                            pending.remove(tp);
                        } else if (ErrorCodes.isRetriable(error.getCode())) {
                            lastError = tp + ": " + error.getCode() + " " + error.getMessage();
                        } else {
                            throw new FerryException(error.getCode(), tp + ": " + error.getMessage());
                        }
                    }
                } catch (StatusRuntimeException ex) {
                    lastError = "broker " + e.getKey() + ": " + ex.getStatus();
                }
            }
            if (pending.isEmpty()) {
                return done;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new FerryTimeoutException("Failed to " + what + " " + pending.keySet() + " within " + timeoutMs
                        + " ms; last error: " + lastError);
            }
            try {
                metadata.awaitUpdate(deadlineNanos);
            } catch (FerryTimeoutException e) {
                // The loop's own deadline check reports it with the partitions and the last error.
            }
        }
    }
}
