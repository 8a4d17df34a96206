package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.internal.ErrorCodes;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void producerDefaultsAreKafkas() {
        ProducerConfig c = ProducerConfig.of(Map.of("bootstrap.servers", "a:1,b:2"));
        assertEquals(2, c.bootstrapServers().size());
        assertEquals(Acks.ACKS_ALL, c.acks());
        assertEquals(16384, c.batchSize());
        assertEquals(5, c.lingerMs());
        assertEquals(CompressionType.NONE, c.compressionType());
        assertEquals(32L * 1024 * 1024, c.bufferMemory());
        assertEquals(60_000, c.maxBlockMs());
        assertEquals(1024 * 1024, c.maxRequestSize());
        assertEquals(30_000, c.requestTimeoutMs());
        assertEquals(120_000, c.deliveryTimeoutMs());
        assertEquals(Integer.MAX_VALUE, c.retries());
        assertEquals(100, c.retryBackoffMs());
        assertEquals(5, c.maxInFlightRequestsPerConnection());
    }

    @Test
    void propertiesWithStringValuesParse() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "localhost:9092");
        p.setProperty("acks", "1");
        p.setProperty("compression.type", "zstd");
        ProducerConfig c = ProducerConfig.of(p);
        assertEquals(Acks.ACKS_LEADER, c.acks());
        assertEquals(CompressionType.ZSTD, c.compressionType());
    }

    @Test
    void badKeysAndValuesAreNamed() {
        FerryConfigException unknown = assertThrows(FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "lingr.ms", "5")));
        assertTrue(unknown.getMessage().contains("lingr.ms"));
        FerryConfigException acks = assertThrows(FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "acks", "2")));
        assertTrue(acks.getMessage().contains("acks"));
        FerryConfigException number = assertThrows(FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "batch.size", "big")));
        assertTrue(number.getMessage().contains("batch.size"));
        FerryConfigException host = assertThrows(FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "localhost")));
        assertTrue(host.getMessage().contains("host:port"));
        assertThrows(FerryConfigException.class, () -> ProducerConfig.of(Map.of()));
        assertThrows(FerryConfigException.class, () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1",
                "delivery.timeout.ms", "1000")));
    }

    @Test
    void consumerSkipsCorruptBatchesOnlyWhenAskedTo() {
        assertEquals(false, ConsumerConfig.of(Map.of("bootstrap.servers", "a:1")).skipCorruptBatches());
        assertTrue(ConsumerConfig.of(Map.of("bootstrap.servers", "a:1", "skip.corrupt.batches", "TRUE"))
                .skipCorruptBatches());
        FerryConfigException yes = assertThrows(FerryConfigException.class,
                () -> ConsumerConfig.of(Map.of("bootstrap.servers", "a:1", "skip.corrupt.batches", "yes")));
        assertTrue(yes.getMessage().contains("skip.corrupt.batches"), yes.getMessage());
    }

    @Test
    void documentationListsEveryKey() {
        String doc = ProducerConfig.documentation();
        assertTrue(doc.contains("`linger.ms`") && doc.contains("`max.in.flight.requests.per.connection`"));
        assertTrue(ConsumerConfig.documentation().contains("`auto.offset.reset`"));
    }

    @Test
    void docsCarryTheGeneratedReference() throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", "client.md");
        String text = java.nio.file.Files.readString(doc);
        assertTrue(text.contains(ProducerConfig.documentation()), "docs/client.md producer table is stale");
        assertTrue(text.contains(ConsumerConfig.documentation()), "docs/client.md consumer table is stale");
        assertTrue(text.contains(AdminConfig.documentation()), "docs/client.md admin table is stale");
    }

    @Test
    void retriabilityComesFromTheProtoOption() {
        assertTrue(ErrorCodes.isRetriable(ErrorCode.NOT_LEADER));
        assertTrue(ErrorCodes.isRetriable(ErrorCode.NOT_ENOUGH_REPLICAS));
        assertEquals(false, ErrorCodes.isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE));
        assertEquals(false, ErrorCodes.isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS));
        assertTrue(new FerryException(ErrorCode.UNKNOWN_TOPIC, "x").retriable());
        assertTrue(new FerryTransportException("down", null).retriable());
    }
}
