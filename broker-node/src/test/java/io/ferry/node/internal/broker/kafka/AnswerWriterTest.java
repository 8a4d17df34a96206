package io.ferry.node.internal.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

/**
 * A fetch answer's large record sets reach the socket as the log's own buffers, the rest of the answer as
 * kafka-clients writes it: the bytes are exactly those of Kafka's own serialization.
 */
class AnswerWriterTest {

    static final short VERSION = ApiKeys.FETCH.latestVersion();

    static ByteBuffer logSlice(int bytes) {
        ByteBuffer slice = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            slice.put(i, (byte) i);
        }
        return slice;
    }

    static FetchResponseData fetchAnswer(ByteBuffer... recordSets) {
        List<FetchResponseData.PartitionData> partitions = new java.util.ArrayList<>();
        for (int p = 0; p < recordSets.length; p++) {
            partitions.add(new FetchResponseData.PartitionData()
                    .setPartitionIndex(p)
                    .setHighWatermark(1_000 + p)
                    .setRecords(MemoryRecords.readableRecords(recordSets[p].duplicate())));
        }
        return new FetchResponseData()
                .setSessionId(7)
                .setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                        .setTopic("orders")
                        .setPartitions(partitions)));
    }

    static byte[] kafkasOwnBytes(FetchResponseData answer) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer out = ByteBuffer.allocate(answer.size(cache, VERSION));
        answer.write(new ByteBufferAccessor(out), cache, VERSION);
        return out.array();
    }

    static ByteBuf written(FetchResponseData answer) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        answer.size(cache, VERSION);
        AnswerWriter out = AnswerWriter.using(UnpooledByteBufAllocator.DEFAULT);
        answer.write(out, cache, VERSION);
        return out.toByteBuf();
    }

    @Test
    void aLargeRecordSetIsTheLogsOwnBufferAndTheBytesAreKafkasSerialization() {
        ByteBuffer large = logSlice(64 * 1024);
        ByteBuffer small = logSlice(100);
        FetchResponseData answer = fetchAnswer(large, small);
        ByteBuf bytes = written(answer);
        try {
            assertArrayEquals(kafkasOwnBytes(answer), ByteBufUtil.getBytes(bytes));
            CompositeByteBuf parts = assertInstanceOf(CompositeByteBuf.class, bytes);
            assertEquals(3, parts.numComponents(), "fields, the large records, the rest with the small records");
            ByteBuf records = parts.component(1);
            assertEquals(large.capacity(), records.readableBytes());
            // Not a copy: the answer reads the log's bytes where they are.
            large.put(10, (byte) 99);
            assertEquals(99, records.getByte(records.readerIndex() + 10));
        } finally {
            bytes.release();
        }
        assertEquals(0, bytes.refCnt());
    }

    @Test
    void anAnswerWithoutLargeRecordSetsIsOneBuffer() {
        FetchResponseData answer = fetchAnswer(logSlice(AnswerWriter.WRAPPED_RECORDS_BYTES - 1));
        ByteBuf bytes = written(answer);
        try {
            assertFalse(bytes instanceof CompositeByteBuf);
            assertArrayEquals(kafkasOwnBytes(answer), ByteBufUtil.getBytes(bytes));
        } finally {
            bytes.release();
        }
    }
}
