package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendException.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sequence rules of a leader's append, on the state alone (no log). */
class ProducerStateManagerTest {

    private static final int NO_LIMIT = Integer.MAX_VALUE;
    private static final long PRODUCER = 1000L;
    private static final long OTHER = 2000L;

    @TempDir
    Path dir;

    private long nextOffset;
    private ProducerStateManager state;

    private ProducerStateManager state() {
        if (state == null) {
            state = new ProducerStateManager(dir);
        }
        return state;
    }

    /** A producer's batch of {@code records} records from {@code firstSeq}, at the next offsets. */
    private RecordBatch batch(long producerId, int epoch, int firstSeq, int records) {
        RecordBatchBuilder builder =
                RecordBatchBuilder.create(CompressionType.NONE).producer(producerId, (short) epoch, firstSeq);
        for (int i = 0; i < records; i++) {
            builder.append(5_000L + i, new byte[] {(byte) i}, new byte[] {1});
        }
        try {
            RecordBatch batch = RecordBatch.wrap(builder.build());
            batch.setBaseOffset(nextOffset);
            nextOffset = batch.nextOffset();
            return batch;
        } catch (CorruptBatchException e) {
            throw new AssertionError(e);
        }
    }

    /** Checks and, if it passes and is no retry, takes {@code batches} into the state. */
    private Optional<BatchMetadata> append(RecordBatch... batches) throws LogAppendException {
        Optional<BatchMetadata> original = state().checkLeaderAppend(List.of(batches), NO_LIMIT);
        if (original.isEmpty()) {
            state().update(List.of(batches));
        }
        return original;
    }

    private Reason refusal(RecordBatch... batches) {
        return assertThrows(LogAppendException.class, () -> state().checkLeaderAppend(List.of(batches), NO_LIMIT))
                .reason();
    }

    @Test
    void theNextSequenceIsAcceptedAndAGapIsOutOfOrder() throws Exception {
        append(batch(PRODUCER, 0, 0, 3));
        append(batch(PRODUCER, 0, 3, 2));

        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(batch(PRODUCER, 0, 6, 1)), "5 is missing");
        assertEquals(4, append(batch(PRODUCER, 0, 4, 1)).orElseThrow().firstOffset(), "4 was written, at offset 4");
        assertEquals(Optional.empty(), append(batch(PRODUCER, 0, 5, 1)));
        assertEquals(5, state().entry(PRODUCER).orElseThrow().lastSeq());
    }

    @Test
    void aLowerEpochIsFencedAndAHigherOneStartsAtZero() throws Exception {
        append(batch(PRODUCER, 3, 0, 2));

        assertEquals(Reason.INVALID_PRODUCER_EPOCH, refusal(batch(PRODUCER, 2, 2, 1)));
        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(batch(PRODUCER, 4, 2, 1)), "a new epoch starts at 0");
        append(batch(PRODUCER, 4, 0, 1));
        assertEquals(4, state().entry(PRODUCER).orElseThrow().epoch());
        assertEquals(
                List.of(0),
                state().entry(PRODUCER).orElseThrow().runs().stream()
                        .map(BatchMetadata::lastSeq)
                        .toList(),
                "the old epoch's runs are forgotten");
        assertEquals(Reason.INVALID_PRODUCER_EPOCH, refusal(batch(PRODUCER, 3, 2, 1)));
    }

    @Test
    void anUnknownProducerIsAcceptedAtAnySequence() throws Exception {
        assertEquals(Optional.empty(), append(batch(PRODUCER, 0, 4242, 2)));
        assertEquals(4243, state().entry(PRODUCER).orElseThrow().lastSeq());
        append(batch(PRODUCER, 0, 4244, 1));
    }

    @Test
    void sequencesWrapFromIntegerMaxValueToZero() throws Exception {
        append(batch(PRODUCER, 0, Integer.MAX_VALUE - 1, 2));
        assertEquals(Integer.MAX_VALUE, state().entry(PRODUCER).orElseThrow().lastSeq());

        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(batch(PRODUCER, 0, 1, 1)));
        append(batch(PRODUCER, 0, 0, 3));
        append(batch(PRODUCER, 0, 3, 1));
        assertEquals(3, state().entry(PRODUCER).orElseThrow().lastSeq());

        ProducerStateManager other = new ProducerStateManager(dir);
        other.update(List.of(batch(PRODUCER, 0, Integer.MAX_VALUE - 1, 4)));
        assertEquals(1, other.entry(PRODUCER).orElseThrow().lastSeq(), "a batch's own records wrap too");
        assertEquals(
                Integer.MAX_VALUE - 1,
                other.entry(PRODUCER).orElseThrow().lastRun().firstSeq());
    }

    @Test
    void aRetryOfAnyOfTheLastFiveRunsAnswersItsOriginal() throws Exception {
        RecordBatch[] sent = new RecordBatch[7];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = batch(PRODUCER, 0, 2 * i, 2);
            append(sent[i]);
            append(batch(OTHER, 0, i, 1)); // so that each of PRODUCER's batches is a run of its own
        }
        for (int i = 2; i < sent.length; i++) {
            BatchMetadata original = append(retry(sent[i])).orElseThrow();
            assertEquals(sent[i].baseOffset(), original.firstOffset());
            assertEquals(sent[i].lastOffset(), original.lastOffset());
        }
        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(retry(sent[1])), "older than the last five runs");
        assertEquals(
                Reason.OUT_OF_ORDER_SEQUENCE,
                refusal(batch(PRODUCER, 0, 12, 3)),
                "the last run's first sequence, but ends beyond it");
    }

    @Test
    void batchesBackToBackFormOneRunAndARetryOfAnyOfThemIsRecognised() throws Exception {
        RecordBatch[] run = new RecordBatch[12];
        for (int i = 0; i < run.length; i++) {
            run[i] = batch(PRODUCER, 0, 3 * i, 3);
        }
        append(run); // one request's batches, as Ferry's producer sends them
        RecordBatch next = batch(PRODUCER, 0, 36, 2);
        append(next); // a later request that found nothing between: the same run
        assertEquals(1, state().entry(PRODUCER).orElseThrow().runs().size());

        for (RecordBatch sent : run) {
            BatchMetadata original = append(retry(sent)).orElseThrow();
            assertEquals(sent.baseOffset(), original.firstOffset(), "first offset of " + sent.baseSequence());
            assertEquals(sent.lastOffset(), original.lastOffset());
        }
        assertEquals(next.baseOffset(), append(retry(next)).orElseThrow().firstOffset());
        assertEquals(
                Reason.OUT_OF_ORDER_SEQUENCE,
                refusal(batch(PRODUCER, 0, 37, 3)),
                "a batch that starts inside the run but ends beyond it");
    }

    @Test
    void anotherBatchBetweenAnEpochChangeOrASequenceWrapStartsANewRun() throws Exception {
        append(batch(PRODUCER, 0, 0, 1));
        append(batch(PRODUCER, 0, 1, 1));
        append(batch(OTHER, 0, 0, 1));
        append(batch(PRODUCER, 0, 2, 1));
        assertEquals(2, state().entry(PRODUCER).orElseThrow().runs().size(), "split by another producer's batch");

        append(batch(PRODUCER, 1, 0, 1));
        append(batch(PRODUCER, 1, 1, 1));
        assertEquals(1, state().entry(PRODUCER).orElseThrow().runs().size(), "a new epoch forgets the old runs");

        ProducerStateManager wrapping = new ProducerStateManager(dir);
        wrapping.update(List.of(
                batch(PRODUCER, 0, Integer.MAX_VALUE - 3, 2),
                batch(PRODUCER, 0, Integer.MAX_VALUE - 1, 2),
                batch(PRODUCER, 0, 0, 2),
                batch(PRODUCER, 0, 2, 2)));
        assertEquals(
                List.of(Integer.MAX_VALUE, 3),
                wrapping.entry(PRODUCER).orElseThrow().runs().stream()
                        .map(BatchMetadata::lastSeq)
                        .toList(),
                "a run ends at Integer.MAX_VALUE");
    }

    /** The same batch sent again: the leader has not assigned it offsets. */
    private RecordBatch retry(RecordBatch sent) {
        RecordBatch copy = batch(sent.producerId(), sent.producerEpoch(), sent.baseSequence(), sent.recordCount());
        nextOffset = copy.baseOffset();
        return copy;
    }

    @Test
    void aRetryAmongOtherBatchesIsOutOfOrder() throws Exception {
        RecordBatch first = batch(PRODUCER, 0, 0, 1);
        append(first);

        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(retry(first), batch(PRODUCER, 0, 1, 1)));
    }

    @Test
    void batchesOfOneProducerInOneAppendMustFollowEachOther() throws Exception {
        append(batch(PRODUCER, 0, 0, 1));

        assertEquals(Reason.OUT_OF_ORDER_SEQUENCE, refusal(batch(PRODUCER, 0, 1, 2), batch(PRODUCER, 0, 4, 1)));
        assertEquals(
                Reason.OUT_OF_ORDER_SEQUENCE,
                refusal(batch(7L, 0, 10, 1), batch(7L, 0, 12, 1)),
                "also for a producer the append introduces");
        assertEquals(
                Optional.empty(),
                append(batch(PRODUCER, 0, 1, 2), batch(7L, 0, 10, 1), batch(PRODUCER, 0, 3, 1), batch(7L, 0, 11, 1)));
        assertEquals(3, state().entry(PRODUCER).orElseThrow().lastSeq());
        assertEquals(11, state().entry(7L).orElseThrow().lastSeq());
    }

    @Test
    void batchesWithoutAProducerIdAreNotTracked() throws Exception {
        RecordBatch plain =
                batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, 2);
        assertEquals(Optional.empty(), append(plain));
        assertEquals(Optional.empty(), append(plain), "never a duplicate");
        assertEquals(0, state().producerCount());
    }

    @Test
    void aNewProducerIdBeyondTheLimitIsRefused() throws Exception {
        state().update(List.of(batch(1L, 0, 0, 1), batch(2L, 0, 0, 1)));

        LogAppendException refused =
                assertThrows(LogAppendException.class, () -> state().checkLeaderAppend(List.of(batch(3L, 0, 0, 1)), 2));
        assertEquals(Reason.TOO_MANY_PRODUCER_IDS, refused.reason());
        assertThrows(
                LogAppendException.class,
                () -> state().checkLeaderAppend(List.of(batch(1L, 0, 1, 1), batch(3L, 0, 0, 1)), 2));
        assertEquals(Optional.empty(), state().checkLeaderAppend(List.of(batch(1L, 0, 1, 1)), 2), "known ids go on");
        assertEquals(
                Optional.empty(),
                state().checkLeaderAppend(List.of(batch(1L, 0, 1, 1), batch(2L, 0, 1, 1), batch(3L, 0, 0, 1)), 3),
                "known ids in the same append do not count as new");
    }

    @Test
    void producersIdleForTheExpirationAreForgotten() throws Exception {
        append(batch(1L, 0, 0, 1)); // max timestamp 5000
        RecordBatchBuilder later =
                RecordBatchBuilder.create(CompressionType.NONE).producer(2L, (short) 0, 0);
        later.append(9_000L, new byte[] {1}, new byte[] {1});
        state().update(List.of(RecordBatch.wrap(later.build())));

        assertEquals(0, state().removeExpired(5_999L, 1_000L));
        assertEquals(1, state().removeExpired(6_000L, 1_000L));
        assertEquals(Optional.empty(), state().entry(1L));
        assertTrue(state().entry(2L).isPresent());
    }
}
