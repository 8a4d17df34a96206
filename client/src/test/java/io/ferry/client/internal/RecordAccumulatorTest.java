package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How much heap the accumulator's batches take: what a producer spread over many partitions can afford. */
class RecordAccumulatorTest {

    private static final int BATCH_SIZE = 1 << 20;
    private static final byte[] VALUE = new byte[100];
    private static final int ESTIMATED = 128;

    private final RecordAccumulator accumulator =
            new RecordAccumulator(BATCH_SIZE, 5_000_000, 120_000_000_000L, CompressionType.NONE);

    private RecordAccumulator.AppendResult append(int partition, long nowNanos) {
        return accumulator.append(
                "t", partition, 0, null, VALUE, List.of(), ESTIMATED, new CompletableFuture<>(), null, false, nowNanos);
    }

    private ProducerBatch head(int partition) {
        return accumulator.queues().stream()
                .filter(q -> q.tp.partition() == partition)
                .map(accumulator::head)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aRecordOnEachOfManyPartitionsAllocatesASmallBufferNotBatchSize() {
        for (int p = 0; p < 1_000; p++) {
            append(p, 0);
        }
        long allocated = 0;
        for (int p = 0; p < 1_000; p++) {
            allocated += head(p).allocatedBytes();
        }
        // batch.size up front would be 1,000 MiB here.
        assertTrue(
                allocated <= 1_000L * (RecordAccumulator.FIRST_BATCH_BYTES + 64),
                "1,000 partitions with one record each allocate " + allocated + " bytes");
    }

    @Test
    void aPartitionWhoseBatchFilledBatchSizeAllocatesItUpFrontForTheNext() {
        int records = 0;
        while (append(0, 0) != RecordAccumulator.AppendResult.BATCH_FULL) {
            records++;
        }
        assertTrue(records > BATCH_SIZE / ESTIMATED / 2, "the first batch grew to hold " + records + " records");
        RecordAccumulator.PartitionQueue queue = accumulator.queues().get(0);
        assertEquals(2, queue.batches.size(), "the record that did not fit opened the next batch");
        ProducerBatch next = queue.batches.peekLast();
        assertEquals(1, next.recordCount());
        assertTrue(next.allocatedBytes() >= BATCH_SIZE, "a busy partition does not regrow: " + next.allocatedBytes());
    }
}
