package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.batches;
import static io.ferry.storage.TestBatches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.record.RecordBatch;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deleted segment's mapping is released when its last read slice is: its disk blocks come back then,
 * with no garbage collection in between, and a reader holding a slice across the deletion still reads
 * the segment's bytes.
 *
 * <p>The log lives on {@code /dev/shm} (tmpfs): a file's blocks are freed once it is unlinked and no
 * longer mapped, and nothing else on the machine writes there, so the free space the file store reports
 * moves by this test's segment alone (it is {@value #SEGMENT_BYTES} bytes; a build writing beside it on
 * a disk file system would drown it).
 */
class SegmentReleaseTest {

    private static final int SEGMENT_BYTES = 16 << 20;
    private static final int BATCH_VALUE_BYTES = 64 * 1024;

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Path dir;
    private Log log;

    @BeforeEach
    void setUp() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "needs a tmpfs at /dev/shm (Linux)");
        dir = Files.createTempDirectory(shm, "ferry-segment-release-");
        log = Log.open(
                dir.resolve("t-0"),
                LogConfig.builder()
                        .segmentBytes(SEGMENT_BYTES)
                        .fileDeleteDelayMs(0)
                        .build(),
                0,
                clock,
                scheduler);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (log != null) {
            log.close();
        }
        scheduler.shutdownNow();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** Fills the first segment with about {@link #SEGMENT_BYTES} bytes and rolls; returns where the second starts. */
    private long fillFirstSegment() throws LogAppendException {
        while (log.sizeInBytes() + BATCH_VALUE_BYTES + 1024 < SEGMENT_BYTES) {
            log.appendAsLeader(batch(clock.millis(), 1, BATCH_VALUE_BYTES), 1);
        }
        log.roll();
        log.appendAsLeader(batch(clock.millis(), 1, 10), 1);
        log.updateHighWatermark(log.logEndOffset());
        return log.segmentBaseOffsets().get(1);
    }

    @Test
    void aDeletedSegmentsBlocksComeBackWhenItsLastSliceIsReleasedWithNoGarbageCollection() throws Exception {
        long secondSegment = fillFirstSegment();
        FileStore store = Files.getFileStore(dir);
        LogReadResult fetch = log.read(0, 1 << 20, Long.MAX_VALUE);
        ByteBuffer slice = fetch.records();
        byte[] before = bytes(slice);
        long freeBeforeDeletion = store.getUnallocatedSpace();

        assertTrue(log.advanceLogStartOffset(secondSegment));
        try (Stream<Path> files = Files.list(log.dir())) {
            assertFalse(
                    files.anyMatch(f -> f.getFileName().toString().startsWith("00000000000000000000.log")),
                    "the segment's file is unlinked");
        }
        long freeWhileHeld = store.getUnallocatedSpace();
        assertArrayEquals(before, bytes(slice), "a fetch holding a slice across the deletion reads the same bytes");
        List<RecordBatch> read = batches(slice);
        assertEquals(0, read.get(0).baseOffset());

        fetch.lease().release();
        long freeAfterRelease = store.getUnallocatedSpace();

        assertTrue(
                freeWhileHeld - freeBeforeDeletion < SEGMENT_BYTES / 2,
                "the slice's mapping keeps the unlinked file's blocks: " + (freeWhileHeld - freeBeforeDeletion)
                        + " freed");
        assertTrue(
                freeAfterRelease - freeBeforeDeletion > SEGMENT_BYTES * 9L / 10,
                "the last release unmapped it: " + (freeAfterRelease - freeBeforeDeletion) + " bytes freed of "
                        + SEGMENT_BYTES);
        // The slice was reachable all along, so no garbage collection could have unmapped it.
        Reference.reachabilityFence(slice);
    }

    @Test
    void withNoSliceLeftTheBlocksComeBackAtTheDeletion() throws Exception {
        long secondSegment = fillFirstSegment();
        FileStore store = Files.getFileStore(dir);
        log.read(0, 1 << 20, Long.MAX_VALUE).lease().release();
        long freeBeforeDeletion = store.getUnallocatedSpace();

        log.advanceLogStartOffset(secondSegment);

        assertTrue(store.getUnallocatedSpace() - freeBeforeDeletion > SEGMENT_BYTES * 9L / 10);
    }

    @Test
    void aSliceOfATruncatedSegmentStaysReadableUntilReleased() throws Exception {
        fillFirstSegment();
        LogReadResult fetch = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE);
        byte[] before = bytes(fetch.records());

        log.truncateTo(1);
        log.appendAsLeader(batch(clock.millis(), 1, BATCH_VALUE_BYTES), 2);

        assertArrayEquals(before, bytes(fetch.records()), "the old file's bytes, not the copy's");
        fetch.lease().release();
        fetch.lease().release();
        assertEquals(
                1,
                batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).records())
                        .get(0)
                        .nextOffset());
    }
}
