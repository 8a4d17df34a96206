package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.testsupport.LoopbackPorts;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kafka.listeners=SSL://}: Kafka's clients over TLS with PEM files, as they talk to Kafka's SSL listeners;
 * a plaintext client, a client trusting another CA, and with {@code ssl.client.auth=required} a client without a
 * certificate or with one that no {@code ssl.principal.mapping.rules} rule maps, are all refused.
 */
class KafkaListenerTlsTest {

    @TempDir
    Path dir;

    private TestCertificates.NodeFiles files;
    private FerryNode node;
    private int kafkaPort;

    private void startNode(String... more) throws Exception {
        files = TestCertificates.nodeFiles(dir);
        kafkaPort = LoopbackPorts.freePort();
        List<String> settings = new java.util.ArrayList<>(
                files.tlsCombinedNode(dir.resolve("logs"), "kafka.listeners=SSL://127.0.0.1:" + kafkaPort));
        settings.addAll(List.of(more));
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static final int LARGE_RECORDS = 200;

    /** A 1 KiB value that names its index. */
    private static String large(int i) {
        return String.format("%-1024s", "record " + i).replace(' ', '.');
    }

    @Test
    void kafkaClientsProduceAndConsumeOverTlsAndPlaintextIsRefused() throws Exception {
        startNode();
        Map<String, Object> client = client(files.truststore(), Optional.empty());
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic("secret", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> producer = new HashMap<>(client);
        producer.put("key.serializer", StringSerializer.class.getName());
        producer.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producer)) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> p.send(new ProducerRecord<>("secret", 0, "k", "over tls"))
                                    .get(10, TimeUnit.SECONDS)
                                    .offset()
                            >= 0);
            // Enough bytes that a fetch answer carries its records as the log's own buffers, through TLS.
            for (int i = 0; i < LARGE_RECORDS; i++) {
                p.send(new ProducerRecord<>("secret", 0, "k", large(i)));
            }
            p.flush();
        }
        Map<String, Object> consumer = new HashMap<>(client);
        consumer.put("key.deserializer", StringDeserializer.class.getName());
        consumer.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumer)) {
            TopicPartition tp = new TopicPartition("secret", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> read = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 1 + LARGE_RECORDS && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach((ConsumerRecord<String, String> r) -> read.add(r.value()));
            }
            assertEquals("over tls", read.get(0));
            assertEquals(1 + LARGE_RECORDS, read.size());
            for (int i = 0; i < LARGE_RECORDS; i++) {
                assertEquals(large(i), read.get(1 + i));
            }
        }
        assertPlaintextIsClosed();
    }

    @Test
    void aClientTrustingAnotherCaIsRefused() throws Exception {
        startNode();
        Path otherCa = TestCertificates.authority("other-ca").writeCa(dir.resolve("other-ca.pem"));
        assertRefused(client(otherCa, Optional.empty()));
    }

    @Test
    void mutualTlsRefusesClientsWithoutACertificateOrWithOneNoRuleMaps() throws Exception {
        // The rules map the clients' certificates and the node's own (its broker reaches its controller with it).
        startNode("ssl.client.auth=required", "ssl.principal.mapping.rules=RULE:^CN=(client-[0-9]+|node-1)$/$1/");
        Path mapped = dir.resolve("client-1.pem");
        files.authority().writeKeystore(mapped, "client-1");
        try (Admin admin = Admin.create(client(files.truststore(), Optional.of(mapped)))) {
            assertEquals(
                    1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
        }
        assertRefused(client(files.truststore(), Optional.empty()));
        Path unmapped = dir.resolve("intruder.pem");
        files.authority().writeKeystore(unmapped, "intruder");
        assertRefused(client(files.truststore(), Optional.of(unmapped)));
    }

    private Map<String, Object> client(Path truststore, Optional<Path> keystore) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        config.put("security.protocol", "SSL");
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", truststore.toString());
        keystore.ifPresent(file -> {
            config.put("ssl.keystore.type", "PEM");
            config.put("ssl.keystore.location", file.toString());
        });
        config.put("request.timeout.ms", "5000");
        config.put("default.api.timeout.ms", "10000");
        config.put("reconnect.backoff.max.ms", "1000");
        return config;
    }

    /** An admin call on {@code client} fails on authentication: the handshake refused it, or the connection closed. */
    private static void assertRefused(Map<String, Object> client) {
        try (Admin admin = Admin.create(client)) {
            ExecutionException failed = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            if (!(failed.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
                assertInstanceOf(SslAuthenticationException.class, failed.getCause(), failed.toString());
            }
        }
    }

    /** Kafka's ApiVersions in plaintext to the TLS port: closed, never answered. */
    private void assertPlaintextIsClosed() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(10);
            out.writeShort(18);
            out.writeShort(0);
            out.writeInt(1);
            out.writeShort(-1);
            out.flush();
            try {
                assertEquals(-1, socket.getInputStream().read(), "the TLS port answered plaintext");
            } catch (SocketException reset) {
                // closed with our bytes unread: a reset
            }
        }
    }
}
