package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.handler.PartitionLookup;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.PublishResult;
import io.ferry.proto.v1.RecordError;
import io.ferry.storage.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The partitions' answers to one Publish request as they come in (from the local append and from each leader
 * forwarded to), and, once every partition has answered, the response: one result per record in request order,
 * or, when no record was appended, the first record's error alone.
 *
 * <p>Thread-safe: answers arrive on append, timer and gRPC threads.
 */
final class PublishAnswers {

    private final PublishRequest request;
    private final int[] partitions;
    private final Map<Integer, PartitionBatches.Encoded> encoded;
    private final long nowMs;
    private final BrokerMetadata view;
    private final boolean externalCaller;
    private final Consumer<PublishResponse> respond;
    private final Map<Integer, AppendAnswer> answers = new HashMap<>();
    private int awaited;

    /**
     * @param partitions     each record's partition, in request order
     * @param encoded        each partition's batches; a partition with no record left in them is not awaited
     * @param nowMs          the CreateTime given to records without one
     * @param view           the metadata the leaders were looked up in, for leader hints
     * @param externalCaller whether leader hints name the external listener's endpoints
     * @param respond        called once, with the response, on the thread of the last answer
     */
    PublishAnswers(
            PublishRequest request,
            int[] partitions,
            Map<Integer, PartitionBatches.Encoded> encoded,
            long nowMs,
            BrokerMetadata view,
            boolean externalCaller,
            Consumer<PublishResponse> respond) {
        this.request = request;
        this.partitions = partitions;
        this.encoded = encoded;
        this.nowMs = nowMs;
        this.view = view;
        this.externalCaller = externalCaller;
        this.respond = respond;
        this.awaited = (int)
                encoded.values().stream().filter(e -> !e.records().isEmpty()).count();
    }

    /** Responds now if no partition has records to append (every record was too large). */
    void respondIfNothingAwaited() {
        boolean none;
        synchronized (this) {
            none = awaited == 0;
        }
        if (none) {
            respond.accept(response());
        }
    }

    void answered(Map<Integer, AppendAnswer> partitionAnswers) {
        boolean last;
        synchronized (this) {
            answers.putAll(partitionAnswers);
            awaited -= partitionAnswers.size();
            last = awaited == 0;
        }
        if (last) {
            respond.accept(response());
        }
    }

    private synchronized PublishResponse response() {
        PublishResponse.Builder response = PublishResponse.newBuilder().setRequestId(request.getRequestId());
        Map<Integer, Integer> positions = positionsInPartitions();
        RecordError first = null;
        boolean appended = false;
        for (int i = 0; i < partitions.length; i++) {
            int partition = partitions[i];
            RecordError error = encoded.get(partition).tooLarge().get(i);
            AppendAnswer answer = answers.get(partition);
            if (error == null && !answer.succeeded()) {
                error = RecordErrors.error(
                        answer.error(),
                        answer.message(),
                        PartitionLookup.hintFor(
                                        answer.error(),
                                        view,
                                        new TopicPartition(request.getTopic(), partition),
                                        externalCaller)
                                .orElse(null));
            }
            PublishResult.Builder result = PublishResult.newBuilder().setPartition(partition);
            if (error != null) {
                first = first == null ? error : first;
                response.addResults(result.setOffset(-1).setTimestampMs(-1).setError(error));
                continue;
            }
            appended = true;
            response.addResults(
                    result.setOffset(request.getAcks() == Acks.ACKS_NONE ? -1 : answer.baseOffset() + positions.get(i))
                            .setTimestampMs(
                                    answer.logAppendTimeMs() >= 0
                                            ? answer.logAppendTimeMs()
                                            : PartitionBatches.timestamp(request.getRecords(i), nowMs)));
        }
        return appended
                ? response.build()
                : response.clearResults().setError(first).build();
    }

    /** Each appended record's place among its partition's appended records (its offset from the base). */
    private Map<Integer, Integer> positionsInPartitions() {
        Map<Integer, Integer> positions = new HashMap<>();
        for (PartitionBatches.Encoded partition : encoded.values()) {
            List<Integer> records = partition.records();
            for (int position = 0; position < records.size(); position++) {
                positions.put(records.get(position), position);
            }
        }
        return positions;
    }
}
