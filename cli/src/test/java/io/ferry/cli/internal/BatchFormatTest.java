package io.ferry.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.FetchedBatch;
import io.ferry.client.FetchedBatch.End;
import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.CorruptBatchException.Problem;
import io.ferry.record.Header;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchFormatTest {

    private static RecordBatch batch() throws CorruptBatchException {
        ByteBuffer bytes = RecordBatchBuilder.create(CompressionType.LZ4)
                .producer(7, (short) 1, 41)
                .append(1000, "k".getBytes(UTF_8), "v\n\u001b[2J".getBytes(UTF_8), List.of(new Header("h\t1", null)))
                .append(1002, null, null)
                .build();
        RecordBatch batch = RecordBatch.wrap(bytes);
        batch.setBaseOffset(40);
        batch.setPartitionLeaderEpoch(3);
        return batch;
    }

    @Test
    void aValidBatchAndItsRecordsInKafkaDumpLogStyle() throws Exception {
        RecordBatch batch = batch();
        FetchedBatch fetched = new FetchedBatch(0, batch, true, 40, null, 42, End.HEADER);
        assertEquals(
                "baseOffset: 40 lastOffset: 41 count: 2 size: " + batch.sizeInBytes() + " partitionLeaderEpoch: 3"
                        + " magic: 2 compresscodec: lz4 attributes: 0x0003 isTransactional: false isControl: false"
                        + " producerId: 7 producerEpoch: 1 baseSequence: 41 lastSequence: 42 CreateTime baseTimestamp: 1000"
                        + " maxTimestamp: 1002 crc: " + batch.checksum() + " isvalid: true",
                BatchFormat.batch(fetched));
        List<Record> records = new ArrayList<>();
        fetched.readRecords(records::add);
        assertEquals(
                "| offset: 40 CreateTime: 1000 keySize: 1 valueSize: 6 headerKeys: [h\\x091]"
                        + " key: k payload: v\\x0a\\x1b[2J",
                BatchFormat.record(batch, records.get(0), true));
        assertEquals(
                "| offset: 41 CreateTime: 1002 keySize: -1 valueSize: -1 headerKeys: []",
                BatchFormat.record(batch, records.get(1), false));
    }

    @Test
    void aBadBatchShowsItsProblemAndWhereReadingGoesOn() throws Exception {
        RecordBatch batch = batch();
        CorruptBatchException crc =
                new CorruptBatchException(Problem.CRC_MISMATCH, "CRC-32C stored 1 but bytes hash to 2");
        String line = BatchFormat.batch(new FetchedBatch(0, batch, true, 40, crc, 45, End.NEXT_BATCH));
        assertEquals(
                " problem: CRC_MISMATCH: CRC-32C stored 1 but bytes hash to 2 next: 45 (where the next batch starts)",
                line.substring(line.indexOf(" problem: ")));
        CorruptBatchException cut = new CorruptBatchException(Problem.TRUNCATED, "only 20 bytes left");
        assertEquals(
                "baseOffset: 9 problem: TRUNCATED: only 20 bytes left next: unknown",
                BatchFormat.batch(new FetchedBatch(0, null, false, 9, cut, -1, End.UNKNOWN)));
        assertEquals(
                "| undecodable: INVALID_LENGTH: value length -5 is negative",
                BatchFormat.undecodable(
                        new CorruptBatchException(Problem.INVALID_LENGTH, "value length -5 is negative")));
    }

    @Test
    void longValuesArePrintedAsAnEscapedPrefixWithTheirSize() {
        byte[] value = new byte[BatchFormat.PRINTED_BYTES + 6];
        java.util.Arrays.fill(value, (byte) 'a');
        value[0] = (byte) 0xc3;
        String printed = BatchFormat.printable(ByteBuffer.wrap(value));
        assertEquals("\\xc3" + "a".repeat(BatchFormat.PRINTED_BYTES - 1) + "...(" + value.length + " bytes)", printed);
        assertEquals("back\\\\slash", BatchFormat.escape("back\\slash"));
        assertEquals(
                5, BatchFormat.lastSequence(Integer.MAX_VALUE - 1, 7), "sequences wrap to 0 after the largest int");
        assertEquals(-1, BatchFormat.lastSequence(-1, 7));
    }
}
