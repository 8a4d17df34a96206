package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.testing.Batches;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random and randomly mutated input: scanning, validating and iterating must end, and end either
 * normally or with a {@link CorruptBatchException}. Any other exception, a hang (the timeout) or an
 * out-of-memory error fails the test. Seeds are fixed so a failure reproduces.
 */
class FuzzTest {

    /** Small decompression cap, so that mutated payloads that inflate hugely stay cheap. */
    private static final int LIMIT = 1024 * 1024;

    /**
     * Runs every read path over {@code bytes}, which must end normally or with CorruptBatchException only;
     * adds the problems seen to {@code seen}.
     */
    private static void exercise(ByteBuffer bytes, String context, Set<Problem> seen) {
        try {
            try {
                BatchScanner scanner = BatchScanner.of(bytes);
                for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
                    batch.validateRecords(LIMIT);
                }
            } catch (CorruptBatchException expected) {
                seen.add(expected.problem());
            }
            try {
                BatchScanner scanner = BatchScanner.of(bytes);
                for (RecordBatch batch = scanner.nextShallow(); batch != null; batch = scanner.nextShallow()) {
                    readAll(batch);
                }
            } catch (CorruptBatchException expected) {
                seen.add(expected.problem());
            }
            try {
                readAll(RecordBatch.wrap(bytes));
            } catch (CorruptBatchException expected) {
                seen.add(expected.problem());
            }
        } catch (RuntimeException | Error e) {
            fail(context + ": " + e, e);
        }
    }

    /** Decodes every record; the walker that only checks them must not accept what decoding refuses. */
    private static void readAll(RecordBatch batch) throws CorruptBatchException {
        boolean walked;
        try {
            batch.scanRecords(LIMIT);
            walked = true;
        } catch (CorruptBatchException e) {
            walked = false;
        }
        try {
            RecordIterator records = batch.records(LIMIT);
            while (records.hasNext()) {
                records.next();
            }
        } catch (CorruptBatchException e) {
            if (walked) {
                fail("the walker accepts what the iterator refuses: " + e.getMessage());
            }
            throw e;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomBytes() {
        Random random = new Random(20261121L);
        Set<Problem> seen = EnumSet.noneOf(Problem.class);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (bytes.length >= RecordBatch.HEADER_SIZE && random.nextBoolean()) {
                // Plausible framing and a correct CRC, so the bytes reach the record and codec decoders.
                buffer.putInt(RecordBatch.LENGTH_OFFSET, bytes.length - RecordBatch.LOG_OVERHEAD);
                buffer.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
                buffer.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) random.nextInt(5));
                int count = random.nextInt(10);
                buffer.putInt(RecordBatch.RECORD_COUNT_OFFSET, count);
                buffer.putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, count + random.nextInt(2) - 1);
                Batches.reseal(buffer);
            }
            exercise(buffer, "random input " + i, seen);
        }
        // The plausible inputs must get past framing into the codecs and the record decoder.
        assertTrue(
                seen.containsAll(EnumSet.of(
                        Problem.INVALID_COMPRESSION,
                        Problem.INVALID_LENGTH,
                        Problem.INVALID_RECORD_COUNT,
                        Problem.INVALID_RECORD)),
                seen.toString());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutatedValidBatches(CompressionType type) {
        Random random = new Random(type.id * 7919L);
        ByteBuffer small = TestRecord.buildWithFerry(type, KafkaInteropTest.mixedRecords(8, 40, 1));
        ByteBuffer large = TestRecord.buildWithFerry(type, KafkaInteropTest.mixedRecords(120, 1500, 2));
        Set<Problem> seen = EnumSet.noneOf(Problem.class);
        for (int i = 0; i < 800; i++) {
            ByteBuffer original = i % 10 == 0 ? large : small;
            ByteBuffer mutated = mutate(original, random);
            if (random.nextInt(4) != 0) {
                // Mostly re-seal the CRC: otherwise validation stops nearly every mutation before decoding.
                Batches.reseal(mutated);
            }
            exercise(mutated, type + " mutation " + i, seen);
        }
        // Mutations must reach the decoders, not only the CRC check.
        assertTrue(seen.containsAll(EnumSet.of(Problem.CRC_MISMATCH, Problem.INVALID_RECORD_COUNT)), seen.toString());
        assertTrue(
                seen.contains(type == CompressionType.NONE ? Problem.INVALID_LENGTH : Problem.INVALID_COMPRESSION),
                seen.toString());
    }

    private static ByteBuffer mutate(ByteBuffer original, Random random) {
        byte[] bytes = new byte[original.remaining()];
        original.duplicate().get(bytes);
        switch (random.nextInt(5)) {
            case 0 -> { // flip a few bytes anywhere after the CRC
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int at = RecordBatch.ATTRIBUTES_OFFSET
                            + random.nextInt(bytes.length - RecordBatch.ATTRIBUTES_OFFSET);
                    bytes[at] = (byte) random.nextInt();
                }
            }
            case 1 -> { // cut the section short, keeping the batch length consistent
                int newLength = RecordBatch.HEADER_SIZE + random.nextInt(bytes.length - RecordBatch.HEADER_SIZE);
                bytes = java.util.Arrays.copyOf(bytes, newLength);
                ByteBuffer.wrap(bytes).putInt(RecordBatch.LENGTH_OFFSET, newLength - RecordBatch.LOG_OVERHEAD);
            }
            case 2 -> { // lie about the record count and offset range
                int count = random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(20);
                ByteBuffer.wrap(bytes)
                        .putInt(RecordBatch.RECORD_COUNT_OFFSET, count)
                        .putInt(
                                RecordBatch.LAST_OFFSET_DELTA_OFFSET,
                                random.nextBoolean() ? count - 1 : random.nextInt());
            }
            case 3 -> { // overwrite a run inside the section with 0xFF or 0x80 (varint continuation bytes)
                int at = RecordBatch.HEADER_SIZE + random.nextInt(bytes.length - RecordBatch.HEADER_SIZE);
                byte fill = random.nextBoolean() ? (byte) 0xFF : (byte) 0x80;
                for (int k = at; k < Math.min(bytes.length, at + 1 + random.nextInt(12)); k++) {
                    bytes[k] = fill;
                }
            }
            default -> { // insert random bytes into the section, keeping the batch length consistent
                int at = RecordBatch.HEADER_SIZE + random.nextInt(bytes.length - RecordBatch.HEADER_SIZE + 1);
                byte[] inserted = new byte[1 + random.nextInt(8)];
                random.nextBytes(inserted);
                byte[] grown = new byte[bytes.length + inserted.length];
                System.arraycopy(bytes, 0, grown, 0, at);
                System.arraycopy(inserted, 0, grown, at, inserted.length);
                System.arraycopy(bytes, at, grown, at + inserted.length, bytes.length - at);
                bytes = grown;
                ByteBuffer.wrap(bytes).putInt(RecordBatch.LENGTH_OFFSET, bytes.length - RecordBatch.LOG_OVERHEAD);
            }
        }
        return ByteBuffer.wrap(bytes);
    }
}
