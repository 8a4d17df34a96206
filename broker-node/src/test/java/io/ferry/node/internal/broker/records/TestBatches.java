package io.ferry.node.internal.broker.records;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Batches as a leader's log returns them, for the Subscribe tests. */
final class TestBatches {

    private TestBatches() {}

    /** A batch of keyless records with these values at offsets from {@code baseOffset}. */
    static ByteBuffer at(long baseOffset, CompressionType compression, String... values) throws Exception {
        RecordBatchBuilder builder = RecordBatchBuilder.create(compression);
        for (String v : values) {
            builder.append(1_000, null, v.getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer batch = builder.build();
        RecordBatch.wrap(batch.duplicate()).setBaseOffset(baseOffset);
        return batch;
    }
}
