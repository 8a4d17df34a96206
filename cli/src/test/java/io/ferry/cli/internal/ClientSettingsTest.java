package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConfigException;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.proto.v1.Acks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ClientSettingsTest {

    @TempDir
    Path dir;

    @Test
    void eachFileKeyGoesOnlyToTheClientsThatKnowIt() throws IOException {
        Path file = Files.writeString(
                dir.resolve("c.properties"), "acks=1\nfetch.min.bytes=1000\nrequest.timeout.ms=1234\nclient.id=me\n");
        ClientSettings s = ClientSettings.load("h:1", file);
        ProducerConfig p = s.producer(Map.of());
        ConsumerConfig c = s.consumer(Map.of());
        AdminConfig a = s.admin(Map.of());
        assertEquals(Acks.ACKS_LEADER, p.acks());
        assertEquals(1000, c.fetchMinBytes());
        assertEquals(1234, a.requestTimeoutMs());
        assertEquals(1234, p.requestTimeoutMs());
        assertEquals("me", c.clientId());
    }

    @Test
    void saslKeysOfTheFileReachEveryClient() throws IOException {
        Path file = Files.writeString(
                dir.resolve("c.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config="
                        + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\""
                        + " password=\"hunter2\";\n");
        // Each client reads sasl.jaas.config as it starts: the file's keys reached it when that fails.
        for (FerryConfigException e : everyClientRefused(ClientSettings.load("h:1", file))) {
            assertEquals("sasl.jaas.config", e.problems().get(0).key(), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void tlsKeysOfTheFileReachEveryClient() throws IOException {
        Path missing = dir.resolve("absent-ca.pem");
        Path file = Files.writeString(
                dir.resolve("c.properties"), "security.protocol=SSL\nssl.truststore.location=" + missing + "\n");
        // Each client reads the trust store as it starts: the file's keys reached it when that fails.
        for (FerryConfigException e : everyClientRefused(ClientSettings.load("h:1", file))) {
            assertEquals("ssl.truststore.location", e.problems().get(0).key(), e.getMessage());
        }
    }

    /** What the admin client, the producer and the consumer each throw when they start with {@code s}. */
    private static List<FerryConfigException> everyClientRefused(ClientSettings s) {
        List<Executable> clients = List.of(
                () -> new FerryAdmin(s.admin(Map.of())).close(),
                () -> new FerryProducer(s.producer(Map.of())).close(),
                () -> new FerryConsumer(s.consumer(Map.of())).close());
        return clients.stream()
                .map(client -> assertThrows(FerryConfigException.class, client))
                .toList();
    }

    @Test
    void commandOverridesBeatTheFileWhichBeatsCliDefaults() throws IOException {
        Path file = Files.writeString(dir.resolve("c.properties"), "acks=1\nmax.block.ms=99\n");
        ClientSettings s = ClientSettings.load("h:1", file);
        ProducerConfig p = s.producer(Map.of("acks", "0"));
        assertEquals(Acks.ACKS_NONE, p.acks());
        assertEquals(99, p.maxBlockMs());
        assertEquals(15000, ClientSettings.load("h:1", null).producer(Map.of()).maxBlockMs());
        assertEquals(15000, ClientSettings.load("h:1", null).admin(Map.of()).defaultApiTimeoutMs());
    }

    @Test
    void theFileBeatsACommandsOwnDefaults() throws IOException {
        Path file = Files.writeString(dir.resolve("c.properties"), "default.api.timeout.ms=300\n");
        AdminConfig a = ClientSettings.load("h:1", file)
                .admin(Map.of("default.api.timeout.ms", "3000", "request.timeout.ms", "1000"), Map.of());
        assertEquals(300, a.defaultApiTimeoutMs());
        assertEquals(1000, a.requestTimeoutMs());
    }

    @Test
    void bootstrapPrecedenceFlagThenVariableThenFileThenDefault() throws IOException {
        Path file = Files.writeString(dir.resolve("c.properties"), "bootstrap.servers=file:3\n");
        assertEquals("flag:1", ClientSettings.load("flag:1", file).bootstrap());
        assertEquals("file:3", ClientSettings.load(null, file).bootstrap());
        assertEquals(
                ClientOptions.DEFAULT_BOOTSTRAP, ClientSettings.load(null, null).bootstrap());
        assertEquals(
                InetSocketAddress.createUnresolved("flag", 1),
                ClientSettings.load("flag:1", file)
                        .admin(Map.of())
                        .bootstrapServers()
                        .get(0));
    }
}
