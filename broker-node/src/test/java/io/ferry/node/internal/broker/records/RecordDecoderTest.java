package io.ferry.node.internal.broker.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding a leader's batches for a Subscribe stream. */
class RecordDecoderTest {

    private static ByteBuffer batch(long baseOffset, String... values) throws Exception {
        return TestBatches.at(baseOffset, CompressionType.LZ4, values);
    }

    /** A control batch (a transaction marker's shape): the control bit set in the attributes. */
    private static ByteBuffer control(long offset) throws Exception {
        ByteBuffer batch = batch(offset, "marker");
        short attributes = batch.getShort(RecordBatch.ATTRIBUTES_OFFSET);
        batch.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (attributes | RecordBatch.CONTROL_MASK));
        return batch;
    }

    private static ByteBuffer concat(ByteBuffer... batches) {
        int size = 0;
        for (ByteBuffer b : batches) {
            size += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : batches) {
            all.put(b.duplicate());
        }
        return all.flip();
    }

    private static List<String> delivered(List<SubscribeResponse> responses) {
        return responses.stream()
                .flatMap(r -> r.getRecordsList().stream())
                .map(r -> r.getOffset() + ":" + r.getValue().toStringUtf8())
                .toList();
    }

    @Test
    void skipsRecordsBelowTheNextOffsetAndControlBatches() throws Exception {
        RecordDecoder decoder = new RecordDecoder(1 << 20);
        long next = decoder.decode(4, concat(batch(0, "a", "b", "c"), control(3), batch(4, "d", "e")), 1);
        assertEquals(6, next);
        List<SubscribeResponse> responses = decoder.responses();
        assertEquals(List.of("1:b", "2:c", "4:d", "5:e"), delivered(responses));
        assertEquals(4, responses.get(0).getRecords(0).getPartition());
    }

    @Test
    void aControlBatchAloneStillMovesTheNextOffset() throws Exception {
        RecordDecoder decoder = new RecordDecoder(1 << 20);
        assertEquals(4, decoder.decode(0, control(3), 3));
        assertEquals(List.of(), decoder.responses());
    }

    @Test
    void aResponseCarriesAtMostMaxBytesOfRecordsOrOneLargerRecord() throws Exception {
        RecordDecoder decoder = new RecordDecoder(20);
        decoder.decode(0, batch(0, "0123456789", "0123456789", "01234567890123456789012345", "x"), 0);
        List<SubscribeResponse> responses = decoder.responses();
        assertEquals(
                List.of(1, 1, 1, 1),
                responses.stream().map(SubscribeResponse::getRecordsCount).toList());
        assertEquals(
                List.of("0:0123456789", "1:0123456789", "2:01234567890123456789012345", "3:x"), delivered(responses));
    }
}
