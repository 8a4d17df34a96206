package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.internal.ErrorCodes;
import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CompressionType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        FerryConfigException unknown = assertThrows(
                FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "lingr.ms", "5")));
        assertTrue(unknown.getMessage().contains("lingr.ms"));
        FerryConfigException acks = assertThrows(
                FerryConfigException.class, () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "acks", "2")));
        assertTrue(acks.getMessage().contains("acks"));
        FerryConfigException number = assertThrows(
                FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "batch.size", "big")));
        assertTrue(number.getMessage().contains("batch.size"));
        FerryConfigException host = assertThrows(
                FerryConfigException.class, () -> ProducerConfig.of(Map.of("bootstrap.servers", "localhost")));
        assertTrue(host.getMessage().contains("host:port"));
        assertThrows(FerryConfigException.class, () -> ProducerConfig.of(Map.of()));
        assertThrows(
                FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "delivery.timeout.ms", "1000")));
    }

    @Test
    void defaultedIdempotenceGivesWayToSettingsThatRuleItOut() {
        assertTrue(ProducerConfig.of(Map.of("bootstrap.servers", "a:1")).idempotenceEnabled());
        List<Map<String, String>> conflicting = List.of(
                Map.of("acks", "0"),
                Map.of("acks", "1"),
                Map.of("retries", "0"),
                Map.of("max.in.flight.requests.per.connection", "6"));
        for (Map<String, String> setting : conflicting) {
            Map<String, String> props = new HashMap<>(setting);
            props.put("bootstrap.servers", "a:1");
            assertEquals(false, ProducerConfig.of(props).idempotenceEnabled(), setting.toString());
        }
        assertEquals(
                false,
                ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "enable.idempotence", "false"))
                        .idempotenceEnabled());
    }

    @Test
    void explicitIdempotenceRefusesWhatWouldBreakIt() {
        FerryConfigException acks = assertThrows(
                FerryConfigException.class,
                () -> ProducerConfig.of(Map.of("bootstrap.servers", "a:1", "acks", "1", "enable.idempotence", "true")));
        assertEquals(
                List.of("acks"),
                acks.problems().stream().map(ConfigProblem::key).toList());
        assertTrue(acks.getMessage().contains("enable.idempotence=true"), acks.getMessage());

        FerryConfigException both = assertThrows(
                FerryConfigException.class,
                () -> ProducerConfig.of(Map.of(
                        "bootstrap.servers",
                        "a:1",
                        "enable.idempotence",
                        "true",
                        "retries",
                        "0",
                        "max.in.flight.requests.per.connection",
                        "6")));
        assertEquals(
                List.of("retries", "max.in.flight.requests.per.connection"),
                both.problems().stream().map(ConfigProblem::key).toList());
        assertTrue(both.getMessage().contains("enable.idempotence=true"), both.getMessage());
    }

    @Test
    void consumerSkipsCorruptBatchesOnlyWhenAskedTo() {
        assertEquals(
                false, ConsumerConfig.of(Map.of("bootstrap.servers", "a:1")).skipCorruptBatches());
        assertTrue(ConsumerConfig.of(Map.of("bootstrap.servers", "a:1", "skip.corrupt.batches", "TRUE"))
                .skipCorruptBatches());
        FerryConfigException yes = assertThrows(
                FerryConfigException.class,
                () -> ConsumerConfig.of(Map.of("bootstrap.servers", "a:1", "skip.corrupt.batches", "yes")));
        assertTrue(yes.getMessage().contains("skip.corrupt.batches"), yes.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssl.truststore.location", "ssl.keystore.location"})
    void aTlsClientWhosePemFileIsMissingIsRefusedNamingTheKey(String key, @TempDir Path dir) {
        Map<String, String> tls = Map.of("bootstrap.servers", "a:1", "security.protocol", "SSL");
        Path missing = dir.resolve("absent.pem");
        FerryConfigException absent = assertThrows(
                FerryConfigException.class, () -> new FerryAdmin(AdminConfig.of(with(tls, key, missing.toString()))));
        assertEquals(key, absent.problems().get(0).key());
        assertEquals(
                "cannot use " + missing + ": no such file",
                absent.problems().get(0).message());
    }

    @Test
    void aTlsClientWhoseTrustStoreDoesNotReadIsRefusedNamingTheKey(@TempDir Path dir) throws IOException {
        Map<String, String> tls =
                Map.of("bootstrap.servers", "a:1", "security.protocol", "SSL", "ssl.truststore.location", "");
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        FerryConfigException empty = assertThrows(
                FerryConfigException.class,
                () -> new FerryProducer(ProducerConfig.of(with(tls, "ssl.truststore.location", notPem.toString()))));
        assertEquals("ssl.truststore.location", empty.problems().get(0).key());

        FerryConfigException saslPlaintext = assertThrows(
                FerryConfigException.class, () -> ConsumerConfig.of(with(tls, "security.protocol", "SASL_PLAINTEXT")));
        assertEquals("security.protocol", saslPlaintext.problems().get(0).key());
        assertTrue(saslPlaintext.getMessage().contains("only over TLS"), saslPlaintext.getMessage());
    }

    @Test
    void aSaslClientWithoutAUsableJaasConfigIsRefusedNamingTheKeyWithoutThePassword() {
        Map<String, String> sasl = Map.of(
                "bootstrap.servers",
                "a:1",
                "security.protocol",
                "SASL_SSL",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\""
                        + " password=\"hunter2\";");

        FerryConfigException refused =
                assertThrows(FerryConfigException.class, () -> new FerryAdmin(AdminConfig.of(sasl)));

        assertEquals("sasl.jaas.config", refused.problems().get(0).key());
        assertTrue(refused.getMessage().contains("ScramLoginModule"), refused.getMessage());
        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());
        FerryConfigException empty = assertThrows(
                FerryConfigException.class, () -> new FerryAdmin(AdminConfig.of(with(sasl, "sasl.jaas.config", ""))));
        assertEquals("sasl.jaas.config", empty.problems().get(0).key());
        FerryConfigException mechanism =
                assertThrows(FerryConfigException.class, () -> AdminConfig.of(with(sasl, "sasl.mechanism", "PLAIN")));
        assertEquals("sasl.mechanism", mechanism.problems().get(0).key());
    }

    @Test
    void aTlsClientWhoseKeyStoreHoldsNoKeyIsRefusedNamingTheKey(@TempDir Path dir) throws IOException {
        Map<String, String> tls = Map.of("bootstrap.servers", "a:1", "security.protocol", "SSL");
        Path noKey = Files.writeString(
                dir.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        FerryConfigException unusable = assertThrows(
                FerryConfigException.class,
                () -> new FerryProducer(ProducerConfig.of(with(tls, "ssl.keystore.location", noKey.toString()))));
        assertEquals("ssl.keystore.location", unusable.problems().get(0).key());
        assertTrue(
                unusable.problems().get(0).message().startsWith("cannot use " + noKey + ": "), unusable.getMessage());
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> map = new HashMap<>(base);
        map.put(key, value);
        return map;
    }

    @Test
    void documentationListsEveryKey() {
        String doc = ProducerConfig.documentation();
        assertTrue(doc.contains("`linger.ms`") && doc.contains("`max.in.flight.requests.per.connection`"));
        assertTrue(ConsumerConfig.documentation().contains("`auto.offset.reset`"));
    }

    @Test
    void everyProblemIsNamedOnOneLineWithItsKey() {
        FerryConfigException e = assertThrows(
                FerryConfigException.class,
                () -> ConsumerConfig.of(Map.of(
                        "bootstrap.servers",
                        "a:0",
                        "max.poll.records",
                        "0",
                        "auto.offset.reset",
                        "first",
                        "lingr.ms",
                        "5")));
        assertEquals(
                List.of("auto.offset.reset", "bootstrap.servers", "lingr.ms", "max.poll.records"),
                e.problems().stream().map(ConfigProblem::key).toList());
        assertEquals(
                "auto.offset.reset (consumer configuration): expected one of earliest, latest, none (in any case), "
                        + "got 'first'; bootstrap.servers (consumer configuration): expected a port in 1-65535 to connect to, "
                        + "got 'a:0'; lingr.ms (consumer configuration): unknown configuration key; max.poll.records (consumer "
                        + "configuration): expected a value in [1, ...], got 0",
                e.getMessage());
        assertTrue(e.getCause() instanceof ConfigException);
        assertEquals(
                List.of("bootstrap.servers (default): required key is not set"),
                assertThrows(FerryConfigException.class, () -> AdminConfig.of(Map.of())).problems().stream()
                        .map(ConfigProblem::toString)
                        .toList());
        FerryConfigException producerOnly = assertThrows(
                FerryConfigException.class, () -> AdminConfig.of(Map.of("bootstrap.servers", "a:1", "linger.ms", "5")));
        assertEquals("linger.ms (admin configuration): unknown configuration key", producerOnly.getMessage());
    }

    @Test
    void valuesMayBeNumbersBooleansListsOrStringsInAnyCaseWhereKafkaAllowsIt() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", List.of("a:1", "[::1]:2"));
        props.put("linger.ms", 7);
        props.put("batch.size", 1000L);
        props.put("acks", "ALL");
        props.put("compression.type", "LZ4");
        props.put("partitioner.ignore.keys", true);
        props.put("client.id", null);
        ProducerConfig c = ProducerConfig.of(props);
        assertEquals(
                List.of(InetSocketAddress.createUnresolved("a", 1), InetSocketAddress.createUnresolved("::1", 2)),
                c.bootstrapServers());
        assertEquals(7, c.lingerMs());
        assertEquals(1000, c.batchSize());
        assertEquals(Acks.ACKS_ALL, c.acks());
        assertEquals(CompressionType.LZ4, c.compressionType());
        assertTrue(c.partitionerIgnoreKeys());
        assertEquals("", c.clientId(), "a null value is no setting");
        assertEquals(
                ConsumerConfig.OffsetReset.EARLIEST,
                ConsumerConfig.of(Map.of("bootstrap.servers", "a:1", "auto.offset.reset", "Earliest"))
                        .autoOffsetReset());
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
