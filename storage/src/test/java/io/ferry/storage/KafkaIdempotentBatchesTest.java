package io.ferry.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches as Kafka's idempotent producer writes them (kafka-clients' MemoryRecords) are checked and deduplicated. */
class KafkaIdempotentBatchesTest {

    private static final long PRODUCER = 31_337L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Log log;

    @AfterEach
    void tearDown() {
        if (log != null) {
            log.close();
        }
        scheduler.shutdownNow();
    }

    private ByteBuffer kafkaBatch(short epoch, int firstSeq, int records) {
        SimpleRecord[] simple = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            simple[i] = new SimpleRecord(
                    clock.millis(),
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("v" + (firstSeq + i)).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.lz4().build(), PRODUCER, epoch, firstSeq, simple)
                .buffer();
    }

    @Test
    void aKafkaProducersRetryIsAnsweredWithTheOriginalOffsetsAndAGapIsRefused() throws Exception {
        log = Log.open(dir, LogConfig.defaults(), 0, clock, scheduler);
        LogAppendInfo first = log.appendAsLeader(kafkaBatch((short) 5, 0, 4), 1);
        LogAppendInfo second = log.appendAsLeader(kafkaBatch((short) 5, 4, 2), 1);

        LogAppendInfo retry = log.appendAsLeader(kafkaBatch((short) 5, 0, 4), 1);
        assertTrue(retry.duplicate());
        assertEquals(first.firstOffset(), retry.firstOffset());
        assertEquals(first.lastOffset(), retry.lastOffset());
        assertEquals(6, log.logEndOffset());

        LogAppendException gap =
                assertThrows(LogAppendException.class, () -> log.appendAsLeader(kafkaBatch((short) 5, 7, 1), 1));
        assertEquals(LogAppendException.Reason.OUT_OF_ORDER_SEQUENCE, gap.reason());
        LogAppendException fenced =
                assertThrows(LogAppendException.class, () -> log.appendAsLeader(kafkaBatch((short) 4, 6, 1), 1));
        assertEquals(LogAppendException.Reason.INVALID_PRODUCER_EPOCH, fenced.reason());
        assertFalse(log.appendAsLeader(kafkaBatch((short) 5, 6, 1), 1).duplicate());
        assertEquals(second.lastOffset() + 2, log.logEndOffset());
    }
}
