package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CorruptBatchException.Problem;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RecordBatch#scanRecords(int)} decompresses into arrays its thread reuses: a scan gives the same
 * answer whatever the thread scanned before, and a warm thread scans a compressed batch without
 * allocating its decompressed records again.
 */
class ScanScratchTest {

    private static final int LIMIT = RecordBatch.DEFAULT_MAX_UNCOMPRESSED_BYTES;

    /** A batch of {@code count} records of {@code size} random letters, in a direct buffer as a produce request's. */
    private static RecordBatch batch(CompressionType codec, int count, int size, long seed)
            throws CorruptBatchException {
        Random random = new Random(seed);
        RecordBatchBuilder builder = RecordBatchBuilder.create(codec);
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[size];
            for (int j = 0; j < size; j++) {
                value[j] = (byte) ('a' + random.nextInt(26));
            }
            builder.append(1_000 + i, null, value);
        }
        ByteBuffer built = builder.build();
        return RecordBatch.wrap(
                ByteBuffer.allocateDirect(built.remaining()).put(built).flip());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aScanAnswersTheSameAfterLargerSmallerAndCorruptBatchesOnTheSameThread(CompressionType codec) throws Exception {
        RecordBatch small = batch(codec, 3, 10, 1);
        RecordsScan expected = small.scanRecords(LIMIT);
        assertEquals(3, expected.recordCount());
        // Larger than the thread keeps between scans, then one that fails part-way, then the small one again.
        RecordBatch large = batch(codec, 3_000, 500, 2);
        assertEquals(3_000, large.scanRecords(LIMIT).recordCount());
        assertThrows(CorruptBatchException.class, () -> large.scanRecords(1_000));
        assertEquals(expected, small.scanRecords(LIMIT));
        RecordBatch medium = batch(codec, 600, 100, 3);
        assertEquals(600, medium.scanRecords(LIMIT).recordCount());
        assertEquals(expected, small.scanRecords(LIMIT));
    }

    @Test
    void aCapExceededByTheReusedArraysStillFailsTheScan() throws Exception {
        RecordBatch large = batch(CompressionType.LZ4, 600, 100, 4);
        large.scanRecords(LIMIT);
        CorruptBatchException e = assertThrows(CorruptBatchException.class, () -> large.scanRecords(10_000));
        assertEquals(Problem.DECOMPRESSED_TOO_LARGE, e.problem());
    }

    @Test
    void aWarmThreadScansACompressedBatchWithoutAllocatingItsRecords() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        RecordBatch batch = batch(CompressionType.LZ4, 600, 100, 5);
        int decompressed = 600 * 100;
        for (int i = 0; i < 20; i++) {
            batch.scanRecords(LIMIT);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        int scans = 10;
        for (int i = 0; i < scans; i++) {
            batch.scanRecords(LIMIT);
        }
        long perScan = (threads.getThreadAllocatedBytes(id) - before) / scans;
        // Decompressing into fresh arrays allocates at least the records themselves each time.
        assertTrue(
                perScan < decompressed / 4,
                perScan + " bytes allocated per scan of " + decompressed + " bytes of records");
    }
}
