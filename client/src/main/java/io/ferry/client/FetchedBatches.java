package io.ferry.client;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a partition's leader returned for one fetch, undecoded: the bytes and the batches found in
 * them ({@link FetchedBatch}), with the log's bounds at the time. {@link FerryAdmin#fetchBatches}
 * answers with it. Immutable; {@link #bytes()} is a read-only view.
 *
 * @param fetchOffset    the offset asked for; the first batch holds it
 * @param highWatermark  the partition's high watermark: no batch returned reaches it
 * @param logStartOffset the partition's log start offset
 * @param bytes          the batches as the leader stores them, read-only
 * @param batches        the batches in {@code bytes}, in order, up to the first whose end is unknown or
 *                       not confirmed (a fetch from its base offset returns it first)
 */
public record FetchedBatches(
        TopicPartition partition,
        long fetchOffset,
        long highWatermark,
        long logStartOffset,
        ByteBuffer bytes,
        List<FetchedBatch> batches) {

    public FetchedBatches {
        bytes = bytes.asReadOnlyBuffer();
        batches = List.copyOf(batches);
    }

    /**
     * Where a fetch that continues after these batches starts: the last batch's next offset, the fetch
     * offset when there are none, or -1 when the last batch's end is unknown.
     */
    public long nextFetchOffset() {
        return batches.isEmpty() ? fetchOffset : batches.get(batches.size() - 1).nextOffset();
    }
}
