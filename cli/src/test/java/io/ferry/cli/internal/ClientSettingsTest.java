package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ProducerConfig;
import io.ferry.proto.v1.Acks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
