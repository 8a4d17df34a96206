package io.ferry.node.internal.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.DivergingEpoch;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ReplicaFetchPartitionResult;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopicResult;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.storage.TopicPartition;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The follower's off-heap ReplicaFetch answer against the generated parser, on the streams gRPC hands it. */
class ReplicaFetchAnswerMarshallerTest {

    private final DirectBufferPool pool = new DirectBufferPool(64 << 20);
    private final ReplicaFetchAnswerMarshaller marshaller = new ReplicaFetchAnswerMarshaller(
            BrokerServiceGrpc.getReplicaFetchMethod().getResponseMarshaller(), pool);

    /** An answer as a leader sends it: partitions with records, errors, divergences; fields a newer leader adds. */
    private static ReplicaFetchResponse randomAnswer(Random random) {
        ReplicaFetchResponse.Builder response =
                ReplicaFetchResponse.newBuilder().setSessionId(random.nextInt(3) == 0 ? 0 : random.nextInt());
        if (random.nextInt(4) == 0) {
            response.setError(Error.newBuilder()
                    .setCode(ErrorCode.INVALID_FETCH_SESSION_EPOCH)
                    .setMessage("expects epoch " + random.nextInt()));
        }
        int topics = random.nextInt(4);
        for (int t = 0; t < topics; t++) {
            ReplicaFetchTopicResult.Builder topic =
                    ReplicaFetchTopicResult.newBuilder().setTopic("topic-" + t);
            int partitions = random.nextInt(4);
            for (int p = 0; p < partitions; p++) {
                byte[] records = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(40_000)];
                random.nextBytes(records);
                ReplicaFetchPartitionResult.Builder partition = ReplicaFetchPartitionResult.newBuilder()
                        .setPartition(p)
                        .setHighWatermark(random.nextInt(1000))
                        .setLogStartOffset(random.nextInt(100))
                        .setLogEndOffset(random.nextInt(2000) - 1)
                        .setRecords(ByteString.copyFrom(records));
                if (random.nextInt(3) == 0) {
                    partition.setError(Error.newBuilder()
                            .setCode(ErrorCode.OFFSET_OUT_OF_RANGE)
                            .setMessage("out é"));
                }
                if (random.nextInt(3) == 0) {
                    partition.setDivergingEpoch(DivergingEpoch.newBuilder()
                            .setEpoch(random.nextInt(5) - 1)
                            .setEndOffset(random.nextInt(100)));
                }
                if (random.nextInt(4) == 0) {
                    partition.setUnknownFields(UnknownFieldSet.newBuilder()
                            .addField(
                                    40 + random.nextInt(10),
                                    UnknownFieldSet.Field.newBuilder()
                                            .addVarint(random.nextLong())
                                            .build())
                            .build());
                }
                topic.addPartitions(partition);
            }
            response.addTopics(topic);
        }
        return response.build();
    }

    @Property(tries = 60)
    void parsesWhatTheGeneratedParserParsesWithRecordsInDirectSlices(
            @ForAll long seed, @ForAll TransportStreams.Kind kind) throws Exception {
        byte[] wire = randomAnswer(new Random(seed)).toByteArray();
        ReplicaFetchResponse generated = ReplicaFetchResponse.parseFrom(wire);

        ReplicaFetchAnswer answer = marshaller.parse(TransportStreams.of(wire, kind, seed));
        Map<TopicPartition, ReplicaFetchResult> parsed = answer.partitions();

        assertEquals(generated.getSessionId(), answer.sessionId());
        assertEquals(generated.getError(), answer.error());
        assertEquals(generated.hasError(), answer.sessionRefused());

        int partitions = 0;
        for (ReplicaFetchTopicResult topic : generated.getTopicsList()) {
            for (ReplicaFetchPartitionResult expected : topic.getPartitionsList()) {
                partitions++;
                ReplicaFetchResult result = parsed.get(new TopicPartition(topic.getTopic(), expected.getPartition()));
                if (expected.hasError()) {
                    assertEquals(expected.getError().getCode(), result.error().code());
                    assertEquals(
                            expected.getError().getMessage(), result.error().message());
                } else {
                    assertNull(result.error());
                }
                assertEquals(expected.getHighWatermark(), result.highWatermark());
                assertEquals(expected.getLogStartOffset(), result.logStartOffset());
                assertEquals(expected.getLogEndOffset(), result.logEndOffset());
                if (expected.hasDivergingEpoch()) {
                    assertEquals(
                            Math.max(-1, expected.getDivergingEpoch().getEpoch()),
                            result.divergingEpoch().epoch());
                    assertEquals(
                            expected.getDivergingEpoch().getEndOffset(),
                            result.divergingEpoch().endOffset());
                } else {
                    assertNull(result.divergingEpoch());
                }
                assertEquals(expected.getRecords().asReadOnlyByteBuffer(), result.records());
                assertTrue(result.records().isDirect(), "off the heap");
                assertTrue(result.records().isReadOnly(), "the follower's log writes them as they are");
            }
        }
        assertEquals(partitions, parsed.size());
        ReplicaFetchResponse serialized =
                ReplicaFetchResponse.parseFrom(marshaller.stream(answer).readAllBytes());
        assertEquals(
                byPartition(generated),
                byPartition(serialized),
                "serializes back to the same answer, unknown fields aside");
        assertEquals(generated.getSessionId(), serialized.getSessionId());
        assertEquals(generated.getError(), serialized.getError());
        parsed.values().forEach(result -> result.lease().release());
    }

    /** Each partition's result without the fields this schema does not know; topic and partition order aside. */
    private static Map<TopicPartition, ReplicaFetchPartitionResult> byPartition(ReplicaFetchResponse response) {
        Map<TopicPartition, ReplicaFetchPartitionResult> results = new HashMap<>();
        response.getTopicsList()
                .forEach(topic -> topic.getPartitionsList()
                        .forEach(p -> results.put(
                                new TopicPartition(topic.getTopic(), p.getPartition()),
                                p.toBuilder()
                                        .setUnknownFields(UnknownFieldSet.getDefaultInstance())
                                        .build())));
        return results;
    }

    @Test
    void theBufferGoesBackToThePoolOnlyOnceEveryPartitionReleasedItsLease() throws Exception {
        ReplicaFetchResponse answer = ReplicaFetchResponse.newBuilder()
                .addTopics(ReplicaFetchTopicResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(ReplicaFetchPartitionResult.newBuilder()
                                .setPartition(0)
                                .setRecords(ByteString.copyFrom(new byte[5000])))
                        .addPartitions(ReplicaFetchPartitionResult.newBuilder()
                                .setPartition(1)
                                .setRecords(ByteString.copyFrom(new byte[3000]))))
                .build();
        Map<TopicPartition, ReplicaFetchResult> parsed = marshaller
                .parse(TransportStreams.chunked(answer.toByteArray(), 1))
                .partitions();

        parsed.get(new TopicPartition("t", 0)).lease().release();
        parsed.get(new TopicPartition("t", 0)).lease().release();
        assertEquals(0, pool.pooledBytes(), "partition 1's records are still read; a second release counts once");
        parsed.get(new TopicPartition("t", 1)).lease().release();
        assertTrue(pool.pooledBytes() >= answer.getSerializedSize());

        marshaller.parse(TransportStreams.chunked(answer.toByteArray(), 2));
        assertEquals(0, pool.pooledBytes(), "the next answer was received into the released buffer");
    }

    @Test
    void anAnswerThatDoesNotParseFailsTheCallAndGivesItsBufferBack() {
        byte[] wire = randomAnswer(new Random(5)).toBuilder()
                .addTopics(ReplicaFetchTopicResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(ReplicaFetchPartitionResult.newBuilder()
                                .setRecords(ByteString.copyFrom(new byte[100]))))
                .build()
                .toByteArray();
        byte[] cut = Arrays.copyOf(wire, wire.length - 1);

        assertThrows(StatusRuntimeException.class, () -> marshaller.parse(TransportStreams.chunked(cut, 1)));
        assertTrue(pool.pooledBytes() > 0);
    }

    @Test
    void aPartitionAnsweredTwiceKeepsItsLastAnswer() throws Exception {
        ReplicaFetchTopicResult.Builder topic = ReplicaFetchTopicResult.newBuilder()
                .setTopic("t")
                .addPartitions(ReplicaFetchPartitionResult.newBuilder().setRecords(ByteString.copyFrom(new byte[] {1})))
                .addPartitions(
                        ReplicaFetchPartitionResult.newBuilder().setRecords(ByteString.copyFrom(new byte[] {2})));
        byte[] wire = ReplicaFetchResponse.newBuilder().addTopics(topic).build().toByteArray();

        Map<TopicPartition, ReplicaFetchResult> parsed =
                marshaller.parse(TransportStreams.chunked(wire, 1)).partitions();

        assertEquals(
                ByteBuffer.wrap(new byte[] {2}),
                parsed.get(new TopicPartition("t", 0)).records());
        parsed.get(new TopicPartition("t", 0)).lease().release();
        assertTrue(pool.pooledBytes() > 0, "the first answer's lease was released when it was replaced");
    }
}
