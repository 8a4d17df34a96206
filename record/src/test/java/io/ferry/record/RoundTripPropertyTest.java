package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.record.internal.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever is built reads back the same, in Ferry and in Kafka's clients, for every codec. */
class RoundTripPropertyTest {

    @Provide
    Arbitrary<List<TestRecord>> records() {
        Arbitrary<Long> timestamps = Arbitraries.oneOf(
                Arbitraries.just(RecordBatch.NO_TIMESTAMP), Arbitraries.longs().between(0, 1L << 42));
        Arbitrary<byte[]> keys =
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).injectNull(0.2);
        Arbitrary<byte[]> values = Arbitraries.oneOf(
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                        Arbitraries.strings().alpha().ofMaxLength(3000).map(s -> s.getBytes(StandardCharsets.UTF_8)))
                .injectNull(0.1);
        Arbitrary<Header> header = Combinators.combine(
                        Arbitraries.strings().ofMaxLength(12),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(16).injectNull(0.3))
                .as(Header::new);
        Arbitrary<List<Header>> headers = header.list().ofMaxSize(3);
        return Combinators.combine(timestamps, keys, values, headers)
                .as(TestRecord::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(60);
    }

    /** Header keys as a reader sees them: what UTF-8 makes of the string (unpaired surrogates become '?'). */
    private static List<TestRecord> asRead(List<TestRecord> records) {
        return records.stream()
                .map(r -> new TestRecord(
                        r.timestamp(),
                        r.key(),
                        r.value(),
                        r.headers().stream()
                                .map(h -> new Header(
                                        new String(h.key().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
                                        h.value()))
                                .toList()))
                .toList();
    }

    @Property(tries = 100)
    void ferryAndKafkaReadBackWhatFerryBuilt(@ForAll("records") List<TestRecord> records, @ForAll CompressionType type)
            throws Exception {
        ByteBuffer batch = TestRecord.buildWithFerry(type, records);
        List<TestRecord.Read> expected = TestRecord.expected(asRead(records), 0L);
        assertEquals(expected, TestRecord.readWithFerry(batch));
        assertEquals(expected, TestRecord.readWithKafka(batch));
    }

    @Property(tries = 100)
    void ferryBuildsKafkasBytes(@ForAll("records") List<TestRecord> records, @ForAll CompressionType type) {
        assertEquals(TestRecord.buildWithKafka(type, records, 0L), TestRecord.buildWithFerry(type, records));
    }

    @Property(tries = 50)
    void uncompressedSizeIsTheSizeOfTheUncompressedBatch(@ForAll("records") List<TestRecord> records) {
        RecordBatchBuilder builder = RecordBatchBuilder.create(CompressionType.NONE, 0);
        records.forEach(r -> builder.append(r.timestamp(), r.key(), r.value(), r.headers()));
        int estimate = builder.uncompressedSizeInBytes();
        assertEquals(estimate, builder.build().remaining());
    }

    @Property(tries = 500)
    void utf8MatchesTheJdkEncoder(@ForAll @Size(max = 40) String s) {
        byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(jdk.length, Utf8.encodedLength(s));
        ByteBuffer out = ByteBuffer.allocate(jdk.length);
        Utf8.write(s, out);
        assertArrayEquals(jdk, out.array());
    }

    @Property(tries = 200)
    void utf8MatchesTheJdkEncoderOnSurrogateSoup(@ForAll("surrogateSoup") String s) {
        utf8MatchesTheJdkEncoder(s);
    }

    @Provide
    Arbitrary<String> surrogateSoup() {
        return Arbitraries.strings()
                .withChars('a', 'é', '€', '\uD83D', '\uDE00', '\uDBFF', '\uDC00')
                .ofMaxLength(20);
    }
}
