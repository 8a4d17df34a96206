package io.ferry.node.internal.broker;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@code ProduceRequest} as {@link ProduceRequestMarshaller} received it: the message without its
 * record bytes (every {@code records} field is empty), and the record bytes of each
 * {@code PartitionProduceData} as a writable slice of one direct buffer that holds the whole message.
 * The log patches base offsets and leader epochs into those slices in place and writes them as they are.
 *
 * <p>The direct buffer is owned by the garbage collector: it lives as long as this object, the
 * message or a slice is reachable, so nothing frees it under the log or a response. Not thread-safe
 * to append the same slices twice; the produce path hands each to the log once.
 */
final class OffHeapProduceRequest {

    private final ProduceRequest request;
    private final List<ByteBuffer> records;

    /**
     * @param records one writable direct slice per {@code PartitionProduceData}, in the order the
     *                partitions appear in {@code request} (topic by topic)
     */
    OffHeapProduceRequest(ProduceRequest request, List<ByteBuffer> records) {
        this.request = request;
        this.records = List.copyOf(records);
    }

    /** The request with every {@code records} field empty: the bytes are in {@link #records(int)}. */
    ProduceRequest request() {
        return request;
    }

    /** The request as the client sent it, records included (copied onto the heap). */
    ProduceRequest withRecords() {
        ProduceRequest.Builder full = request.toBuilder();
        int index = 0;
        for (TopicProduceData.Builder topic : full.getTopicsBuilderList()) {
            for (PartitionProduceData.Builder partition : topic.getPartitionsBuilderList()) {
                partition.setRecords(ByteString.copyFrom(records.get(index++).duplicate()));
            }
        }
        return full.build();
    }

    /**
     * The record bytes of the {@code index}th partition of the request (counting through every topic's
     * partitions in order): a writable direct slice, position 0 to its capacity, which is their length.
     */
    ByteBuffer records(int index) {
        return records.get(index);
    }

    /** How many partitions the request names in all, which is how many record slices it carries. */
    int partitionCount() {
        return records.size();
    }
}
