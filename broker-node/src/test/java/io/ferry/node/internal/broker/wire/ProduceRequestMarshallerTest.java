package io.ferry.node.internal.broker.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.TopicProduceData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The off-heap produce marshaller against the generated parser, on the streams gRPC hands it. */
class ProduceRequestMarshallerTest {

    private final DirectBufferPool pool = new DirectBufferPool(64 << 20);
    private final ProduceRequestMarshaller marshaller =
            new ProduceRequestMarshaller(BrokerServiceGrpc.getProduceMethod().getRequestMarshaller(), pool);

    private static ProduceRequest randomRequest(Random random) {
        ProduceRequest.Builder request = ProduceRequest.newBuilder()
                .setCorrelationId(random.nextLong())
                .setAcksValue(random.nextInt(6) - 1)
                .setTimeoutMs(random.nextInt());
        int topics = random.nextInt(4);
        for (int t = 0; t < topics; t++) {
            TopicProduceData.Builder topic = TopicProduceData.newBuilder()
                    .setTopic("topic-" + random.nextInt(1000) + (random.nextBoolean() ? "-é" : ""));
            int partitions = random.nextInt(4);
            for (int p = 0; p < partitions; p++) {
                byte[] records = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(40_000)];
                random.nextBytes(records);
                PartitionProduceData.Builder partition = PartitionProduceData.newBuilder()
                        .setPartition(random.nextInt(64) - 1)
                        .setRecords(ByteString.copyFrom(records));
                if (random.nextInt(4) == 0) {
                    partition.setUnknownFields(unknownFields(random));
                }
                topic.addPartitions(partition);
            }
            if (random.nextInt(4) == 0) {
                topic.setUnknownFields(unknownFields(random));
            }
            request.addTopics(topic);
        }
        if (random.nextInt(4) == 0) {
            request.setUnknownFields(unknownFields(random));
        }
        return request.build();
    }

    /** Fields a newer client might send: numbers this schema lacks, and a known number with another wire type. */
    private static UnknownFieldSet unknownFields(Random random) {
        return UnknownFieldSet.newBuilder()
                .addField(
                        9 + random.nextInt(100),
                        UnknownFieldSet.Field.newBuilder()
                                .addVarint(random.nextLong())
                                .build())
                .addField(
                        1,
                        UnknownFieldSet.Field.newBuilder()
                                .addFixed32(random.nextInt())
                                .build())
                .build();
    }

    private static List<ByteString> recordsInOrder(ProduceRequest request) {
        List<ByteString> records = new ArrayList<>();
        request.getTopicsList().forEach(t -> t.getPartitionsList().forEach(p -> records.add(p.getRecords())));
        return records;
    }

    @Property(tries = 60)
    void parsesWhatTheGeneratedParserParsesWithRecordsInWritableDirectBuffers(
            @ForAll long seed, @ForAll TransportStreams.Kind kind) throws Exception {
        ProduceRequest expected = randomRequest(new Random(seed));
        byte[] wire = expected.toByteArray();

        OffHeapProduceRequest parsed = marshaller.parse(TransportStreams.of(wire, kind, seed));

        assertEquals(ProduceRequest.parseFrom(wire), parsed.withRecords());
        assertEquals(expected, parsed.withRecords());
        assertEquals(withoutRecords(expected), parsed.request(), "the records stay out of the heap message");
        List<ByteString> records = recordsInOrder(expected);
        assertEquals(records.size(), parsed.partitionCount());
        for (int i = 0; i < records.size(); i++) {
            ByteBuffer slice = parsed.records(i);
            assertTrue(slice.isDirect(), "partition " + i + " records are off the heap");
            assertFalse(slice.isReadOnly(), "the log patches offsets into them in place");
            assertEquals(records.get(i).asReadOnlyByteBuffer(), slice);
        }
    }

    private static ProduceRequest withoutRecords(ProduceRequest request) {
        ProduceRequest.Builder stripped = request.toBuilder();
        stripped.getTopicsBuilderList()
                .forEach(t -> t.getPartitionsBuilderList().forEach(p -> p.setRecords(ByteString.EMPTY)));
        return stripped.build();
    }

    @Test
    void aPartitionsRecordsAreAWritableSliceOfTheLastOccurrence() throws Exception {
        // One partition whose records field occurs twice on the wire (two encodings concatenated): the last wins.
        ByteString partition = PartitionProduceData.newBuilder()
                .setRecords(ByteString.copyFrom(new byte[] {9, 9, 9}))
                .build()
                .toByteString()
                .concat(PartitionProduceData.newBuilder()
                        .setPartition(3)
                        .setRecords(ByteString.copyFrom(new byte[] {1, 2, 3, 4}))
                        .build()
                        .toByteString());
        byte[] wire = ProduceRequest.newBuilder()
                .setAcks(Acks.ACKS_ALL)
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("t")
                        .setUnknownFields(UnknownFieldSet.newBuilder()
                                .addField(
                                        2,
                                        UnknownFieldSet.Field.newBuilder()
                                                .addLengthDelimited(partition)
                                                .build())
                                .build()))
                .build()
                .toByteArray();

        OffHeapProduceRequest parsed = marshaller.parse(TransportStreams.chunked(wire, 1));

        assertEquals(ProduceRequest.parseFrom(wire), parsed.withRecords());
        assertEquals(3, parsed.request().getTopics(0).getPartitions(0).getPartition());
        ByteBuffer slice = parsed.records(0);
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), slice);
        assertEquals(4, slice.capacity(), "a slice of the records, not the whole message");
        slice.put(0, (byte) 42);
        assertEquals(
                42,
                parsed.withRecords().getTopics(0).getPartitions(0).getRecords().byteAt(0),
                "what the log patches is the request's records");
    }

    @Test
    void releasingTheRequestHandsItsBufferBackOnceAndTheNextRequestReusesIt() throws Exception {
        byte[] wire = randomRequest(new Random(11)).toByteArray();
        OffHeapProduceRequest first = marshaller.parse(TransportStreams.chunked(wire, 11));
        assertEquals(0, pool.pooledBytes());

        first.release();
        long pooled = pool.pooledBytes();
        first.release();

        assertTrue(pooled >= wire.length, pooled + " bytes pooled");
        assertEquals(pooled, pool.pooledBytes(), "a second release does not offer the buffer twice");
        OffHeapProduceRequest second = marshaller.parse(TransportStreams.chunked(wire, 12));
        assertEquals(0, pool.pooledBytes(), "the next request of that size took the released buffer");
        assertEquals(ProduceRequest.parseFrom(wire), second.withRecords());
    }

    @Test
    void aRequestThatDoesNotParseGivesItsBufferBack() {
        byte[] wire = randomRequest(new Random(13)).toByteArray();
        byte[] cut = java.util.Arrays.copyOf(wire, wire.length - 1);

        assertThrows(StatusRuntimeException.class, () -> marshaller.parse(TransportStreams.chunked(cut, 1)));

        assertTrue(pool.pooledBytes() > 0);
    }

    @Test
    void serializesBackToTheSameBytes() throws Exception {
        ProduceRequest request = randomRequest(new Random(7));
        OffHeapProduceRequest parsed = marshaller.parse(new ByteArrayInputStream(request.toByteArray()));

        assertArrayEquals(request.toByteArray(), marshaller.stream(parsed).readAllBytes());
    }

    @Property(tries = 200)
    void damagedBytesAreRefusedWithInternalExactlyWhenTheGeneratedParserRefusesThem(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int damage, @ForAll boolean truncate) {
        Random random = new Random(seed);
        byte[] wire = randomRequest(random).toByteArray();
        if (truncate && wire.length > 0) {
            wire = java.util.Arrays.copyOf(wire, random.nextInt(wire.length));
        } else {
            for (int i = 0; i < damage && wire.length > 0; i++) {
                wire[random.nextInt(Math.min(wire.length, 64))] = (byte) random.nextInt(256);
            }
        }
        ProduceRequest generated;
        try {
            generated = ProduceRequest.parseFrom(wire);
        } catch (InvalidProtocolBufferException e) {
            byte[] refused = wire;
            StatusRuntimeException error = assertThrows(
                    StatusRuntimeException.class, () -> marshaller.parse(TransportStreams.chunked(refused, seed)));
            assertEquals(Status.Code.INTERNAL, error.getStatus().getCode());
            assertTrue(
                    error.getStatus().getDescription().startsWith("Invalid protobuf byte sequence"),
                    error.getStatus().getDescription());
            return;
        }
        assertEquals(
                generated,
                marshaller.parse(TransportStreams.chunked(wire, seed)).withRecords());
    }

    @Test
    void namesWhatIsWrongWithATruncatedMessage() {
        byte[] wire = randomRequest(new Random(3)).toBuilder()
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("t")
                        .addPartitions(
                                PartitionProduceData.newBuilder().setRecords(ByteString.copyFrom(new byte[100]))))
                .build()
                .toByteArray();
        byte[] cut = java.util.Arrays.copyOf(wire, wire.length - 10);

        StatusRuntimeException error =
                assertThrows(StatusRuntimeException.class, () -> marshaller.parse(TransportStreams.chunked(cut, 3)));

        assertEquals(Status.Code.INTERNAL, error.getStatus().getCode());
        assertTrue(
                error.getStatus().getDescription().contains("truncated"),
                error.getStatus().getDescription());
    }

    @Test
    void aStreamThatStopsOfferingChunksMidwayIsReadToItsEnd() throws Exception {
        // Over 2 chunks of at most 8 KiB, so the rest is read through read().
        byte[] wire = randomRequest(new Random(9)).toBuilder()
                .addTopics(TopicProduceData.newBuilder()
                        .setTopic("big")
                        .addPartitions(
                                PartitionProduceData.newBuilder().setRecords(ByteString.copyFrom(new byte[20_000]))))
                .build()
                .toByteArray();
        InputStream stalling = new TransportStreams.ChunkedStream(wire, 9, true) {
            private int offered;

            @Override
            public ByteBuffer getByteBuffer() {
                return offered++ < 2 ? super.getByteBuffer() : ByteBuffer.allocate(0);
            }
        };

        assertEquals(ProduceRequest.parseFrom(wire), marshaller.parse(stalling).withRecords());
    }

    @Test
    void aStreamShorterThanItAnnouncedIsRefused() {
        byte[] wire = randomRequest(new Random(5)).toByteArray();
        InputStream lying = new TransportStreams.ChunkedStream(wire, 5, true) {
            @Override
            public int available() {
                return super.available() + 10;
            }
        };

        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> marshaller.parse(lying));

        assertEquals(Status.Code.INTERNAL, error.getStatus().getCode());
        assertTrue(
                error.getStatus().getDescription().contains("announced"),
                error.getStatus().getDescription());
    }
}
