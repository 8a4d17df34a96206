package io.ferry.node.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.testsupport.LoopbackPorts;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kafka.listeners=SASL_SSL://}: Kafka's clients authenticate with SCRAM-SHA-512 against a user the
 * controllers store (created through Ferry's admin), as against Kafka's SASL_SSL listeners; a wrong password and
 * an unknown user get the same refusal; a request before authentication closes the connection.
 */
class KafkaListenerSaslTest {

    private static final long SESSION_MS = 2_000;

    @TempDir
    Path dir;

    private TestCertificates.NodeFiles files;
    private FerryNode node;
    private int kafkaPort;

    @BeforeEach
    void startNode() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        kafkaPort = LoopbackPorts.freePort();
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.addAll(List.of(
                "ssl.keystore.location=" + files.keystore(),
                "ssl.truststore.location=" + files.truststore(),
                "kafka.listeners=SASL_SSL://127.0.0.1:" + kafkaPort,
                // Short sessions, so that a test sees clients authenticate again (KIP-368).
                "connections.max.reauth.ms=" + SESSION_MS));
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(
                Map.of("bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort())))) {
            admin.upsertUserScramCredential("alice", ScramMechanism.SCRAM_SHA_512, 4096, "alice-secret");
        }
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aUserWithItsPasswordProducesAndWrongOnesAreRefusedAlike() throws Exception {
        Map<String, Object> alice = client("alice", "alice-secret");
        createTopic(alice, "ledger");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerConfig(alice))) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> p.send(new ProducerRecord<>("ledger", 0, "k", "v"))
                                    .get(10, TimeUnit.SECONDS)
                                    .offset()
                            >= 0);
        }
        String wrongPassword = refusal(client("alice", "not-her-secret"));
        String unknownUser = refusal(client("mallory", "alice-secret"));
        assertEquals(wrongPassword, unknownUser, "the refusal tells which part was wrong");
    }

    @Test
    void aClientAuthenticatesAgainOnItsConnectionBeforeItsSessionEnds() throws Exception {
        Map<String, Object> alice = client("alice", "alice-secret");
        createTopic(alice, "audit");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerConfig(alice))) {
            // Writes, each acknowledged, until the producer has authenticated again twice on its connection.
            AtomicInteger written = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        p.send(new ProducerRecord<>("audit", 0, "k", "v" + written.getAndIncrement()))
                                .get(10, TimeUnit.SECONDS);
                        return metric(p, "successful-reauthentication-total") >= 2;
                    });
            assertEquals(0.0, metric(p, "failed-reauthentication-total"));
        }
    }

    /** Creates {@code topic} as {@code client}, once its credential has reached the broker with a metadata view. */
    private static void createTopic(Map<String, Object> client, String topic) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get(10, TimeUnit.SECONDS);
            }
        });
    }

    private static Map<String, Object> producerConfig(Map<String, Object> client) {
        Map<String, Object> producer = new HashMap<>(client);
        producer.put("key.serializer", StringSerializer.class.getName());
        producer.put("value.serializer", StringSerializer.class.getName());
        return producer;
    }

    private static double metric(KafkaProducer<?, ?> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e ->
                        e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    @Test
    void aRequestBeforeAuthenticationClosesTheConnection() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(files.truststore())) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", kafkaPort)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // Metadata v1 for every topic: header (key 3, version 1, correlation 1, no client id), topics null.
            out.writeInt(14);
            out.writeShort(3);
            out.writeShort(1);
            out.writeInt(1);
            out.writeShort(-1);
            out.writeInt(-1);
            out.flush();
            try {
                assertEquals(-1, socket.getInputStream().read(), "answered before authentication");
            } catch (SocketException reset) {
                // closed
            }
        }
    }

    /** The message of the authentication failure an admin call on {@code client} meets. */
    private static String refusal(Map<String, Object> client) {
        try (Admin admin = Admin.create(client)) {
            ExecutionException failed = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, failed.getCause(), failed.toString());
            assertTrue(
                    failed.getCause().getMessage().contains("SCRAM-SHA-512"),
                    failed.getCause().getMessage());
            return failed.getCause().getMessage();
        }
    }

    private Map<String, Object> client(String user, String password) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", files.truststore().toString());
        config.put("request.timeout.ms", "5000");
        config.put("default.api.timeout.ms", "10000");
        return config;
    }
}
