package io.ferry.node.internal.broker.wire;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code ProduceRequest} as {@link ProduceRequestMarshaller} received it: the message without its
 * record bytes (every {@code records} field is empty), and the record bytes of each
 * {@code PartitionProduceData} as a writable slice of one direct buffer that holds the whole message.
 * The log patches base offsets and leader epochs into those slices in place and writes them as they are.
 *
 * <p>The direct buffer comes from a {@link DirectBufferPool}. {@link #release()} hands it back, once,
 * and only the produce handler calls it: after the replica manager reported every partition's outcome
 * (so the log has finished writing the slices) and the response was built. From then on the slices
 * may hold another request's bytes. A request that is never released (a failure on the way) is not a
 * leak: the buffer is an ordinary direct buffer and the garbage collector frees it.
 *
 * <p>Thread-safety: {@link #release()} may be called from any thread; the slices are handed to the log
 * once each.
 */
public final class OffHeapProduceRequest {

    private final ProduceRequest request;
    private final List<ByteBuffer> records;
    private final Runnable recycle;
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * @param records one writable direct slice per {@code PartitionProduceData}, in the order the
     *                partitions appear in {@code request} (topic by topic)
     * @param recycle hands the buffer holding {@code records} back for reuse; run at most once
     */
    public OffHeapProduceRequest(ProduceRequest request, List<ByteBuffer> records, Runnable recycle) {
        this.request = request;
        this.records = List.copyOf(records);
        this.recycle = recycle;
    }

    /**
     * Gives the buffer back for the next request; later calls do nothing. The caller guarantees that
     * nothing reads or writes the record slices any more.
     */
    public void release() {
        if (released.compareAndSet(false, true)) {
            recycle.run();
        }
    }

    /** The request with every {@code records} field empty: the bytes are in {@link #records(int)}. */
    public ProduceRequest request() {
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

    /** The request's size as received: its fields and every partition's record bytes (what quotas count). */
    public long sizeInBytes() {
        long size = request.getSerializedSize();
        for (ByteBuffer slice : records) {
            size += slice.capacity();
        }
        return size;
    }

    /**
     * The record bytes of the {@code index}th partition of the request (counting through every topic's
     * partitions in order): a writable direct slice, position 0 to its capacity, which is their length.
     */
    public ByteBuffer records(int index) {
        return records.get(index);
    }

    /** How many partitions the request names in all, which is how many record slices it carries. */
    int partitionCount() {
        return records.size();
    }
}
