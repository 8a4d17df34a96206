package io.ferry.node.sasl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryException;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.tls.TestCertificates;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose {@code grpc.listener} is {@code SASL_SSL}, with the authorizer on and users alice (allowed to write
 * and read the topic) and bob (named by no ACL) in an in-memory credential store; an admin with a certificate
 * sets the topic and ACLs up.
 */
class SaslNodeTest {

    private static final String TOPIC = "payments";
    private static final Metadata.Key<String> SESSION =
            Metadata.Key.of("ferry-sasl-session", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    private final Map<String, ScramCredential> users = new HashMap<>();
    /** Authentications the node ran: each asks for a credential once. */
    private final AtomicInteger lookups = new AtomicInteger();

    private TestCertificates.NodeFiles files;
    private FerryNode node;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    private void start(String... more) throws Exception {
        ScramFunctions scram = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
        users.put("alice", scram.credential("alice-secret", ScramFunctions.newSalt(), 4096));
        users.put("bob", scram.credential("bob-secret", ScramFunctions.newSalt(), 4096));
        files = TestCertificates.nodeFiles(dir);
        List<String> settings = new ArrayList<>(List.of(
                "grpc.listener.security.protocol=SASL_SSL",
                "ssl.client.auth=requested",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:CN=node-1;User:CN=admin"));
        settings.addAll(List.of(more));
        node = FerryNode.start(
                NodeConfig.load(
                        Optional.empty(),
                        Map.of(),
                        files.tlsCombinedNode(dir.resolve("logs"), settings.toArray(String[]::new))),
                new RecordedFatalErrors(),
                (user, mechanism) -> {
                    lookups.incrementAndGet();
                    return Optional.ofNullable(users.get(user));
                });
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        BrokerServiceBlockingStub admin =
                BrokerServiceGrpc.newBlockingStub(certificateChannel("admin")).withDeadlineAfter(2, TimeUnit.MINUTES);
        assertEquals(
                ErrorCode.NONE,
                admin.createTopic(CreateTopicRequest.newBuilder()
                                .setName(TOPIC)
                                .setPartitionCount(1)
                                .setReplicationFactor(1)
                                .build())
                        .getError()
                        .getCode());
        assertEquals(
                ErrorCode.NONE,
                admin.createAcls(CreateAclsRequest.newBuilder()
                                .addCreations(allowAlice(AclOperation.ACL_OPERATION_WRITE))
                                .addCreations(allowAlice(AclOperation.ACL_OPERATION_READ))
                                .build())
                        .getError()
                        .getCode());
    }

    private static AclBinding allowAlice(AclOperation operation) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(TOPIC)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal("User:alice")
                .setHost("*")
                .setOperation(operation)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (node != null) {
            node.close();
        }
    }

    private ManagedChannel certificateChannel(String name) throws IOException {
        Path keystore = dir.resolve(name + ".pem");
        files.authority().writeKeystore(keystore, name);
        return channel(TlsChannelCredentials.newBuilder()
                .trustManager(files.truststore().toFile())
                .keyManager(keystore.toFile(), keystore.toFile())
                .build());
    }

    /** TLS without a client certificate: the channel of a password client. */
    private ManagedChannel passwordChannel() throws IOException {
        return channel(TlsChannelCredentials.newBuilder()
                .trustManager(files.truststore().toFile())
                .build());
    }

    private ManagedChannel channel(io.grpc.ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", node.grpcAddress().getPort(), credentials)
                .build();
        channels.add(channel);
        return channel;
    }

    private Map<String, String> clientSettings(String user, String password) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort());
        settings.put("security.protocol", "SASL_SSL");
        settings.put("ssl.truststore.location", files.truststore().toString());
        settings.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return settings;
    }

    private FerryProducer producer(String user, String password) {
        Map<String, String> settings = clientSettings(user, password);
        settings.put("enable.idempotence", "false");
        settings.put("linger.ms", "0");
        FerryProducer producer = new FerryProducer(ProducerConfig.of(settings));
        clients.add(producer);
        return producer;
    }

    private static long send(FerryProducer producer, String value) throws Exception {
        return producer.send(new ProducerRecord(TOPIC, 0, null, value.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS)
                .offset();
    }

    @Test
    void aPasswordClientProducesAndFetchesAsItsUserWhomTheAclsJudge() throws Exception {
        start();

        assertEquals(0, send(producer("alice", "alice-secret"), "paid"));

        Map<String, String> settings = clientSettings("alice", "alice-secret");
        settings.put("auto.offset.reset", "earliest");
        FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(settings));
        clients.add(consumer);
        consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
        List<String> read = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (ConsumerRecord record : consumer.poll(Duration.ofMillis(200))) {
                read.add(new String(record.value(), StandardCharsets.UTF_8));
            }
            return !read.isEmpty();
        });
        assertEquals(List.of("paid"), read);

        // Then: bob authenticates as well, but no ACL names User:bob: the handlers saw User:bob, not a superuser
        // or ANONYMOUS, and alice's ACLs were what let alice in.
        ExecutionException refused =
                assertThrows(ExecutionException.class, () -> send(producer("bob", "bob-secret"), "stolen"));
        assertTrue(refused.getCause().getMessage().contains("not authorized"), refused.toString());
    }

    /**
     * The node as it runs: no credential store of the test's, only its broker's metadata view, which has the
     * credential that FerryAdmin stored in the controller's metadata (the client salts the password, the
     * controller keeps keys only), so {@code ferry user add} is all a password user needs.
     */
    @Test
    void aUserAddedThroughTheAdminApiAuthenticatesWithItsPassword() throws Exception {
        files = TestCertificates.nodeFiles(dir);
        node = FerryNode.start(
                NodeConfig.load(
                        Optional.empty(),
                        Map.of(),
                        files.tlsCombinedNode(
                                dir.resolve("logs"),
                                "grpc.listener.security.protocol=SASL_SSL",
                                "ssl.client.auth=requested")),
                new RecordedFatalErrors());
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        Path keystore = dir.resolve("admin.pem");
        files.authority().writeKeystore(keystore, "admin");
        FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of(
                "bootstrap.servers",
                "127.0.0.1:" + node.grpcAddress().getPort(),
                "security.protocol",
                "SSL",
                "ssl.truststore.location",
                files.truststore().toString(),
                "ssl.keystore.location",
                keystore.toString())));
        clients.add(admin);
        admin.createTopic(TOPIC, 1, 1, Map.of());

        admin.upsertUserScramCredential("carol", ScramMechanism.SCRAM_SHA_512, 4096, "carol-secret");

        await("carol's credential reaches the broker's metadata view")
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> send(producer("carol", "carol-secret"), "first") >= 0);
        // A refused password is final for the producer too: it fails now, not at max.block.ms (60 s).
        Exception guessed = assertThrows(Exception.class, () -> send(producer("carol", "carol-secreT"), "guess"));
        FerryException producerRefused = guessed instanceof FerryException direct
                ? direct
                : assertInstanceOf(FerryException.class, guessed.getCause(), guessed.toString());
        assertEquals(ErrorCode.SASL_AUTHENTICATION_FAILED, producerRefused.code(), producerRefused.getMessage());

        FerryConsumer guessingConsumer = new FerryConsumer(ConsumerConfig.of(clientSettings("carol", "carol-secreT")));
        clients.add(guessingConsumer);
        guessingConsumer.assign(List.of(new TopicPartition(TOPIC, 0)));
        FerryException consumerRefused =
                assertThrows(FerryException.class, () -> guessingConsumer.poll(Duration.ofSeconds(30)));
        assertEquals(ErrorCode.SASL_AUTHENTICATION_FAILED, consumerRefused.code(), consumerRefused.getMessage());

        FerryAdmin guessing = new FerryAdmin(AdminConfig.of(clientSettings("carol", "carol-secreT")));
        clients.add(guessing);
        FerryException refused = assertThrows(FerryException.class, guessing::describeCluster);
        assertEquals(ErrorCode.SASL_AUTHENTICATION_FAILED, refused.code(), refused.getMessage());
        assertFalse(refused.retriable());
        assertTrue(refused.getMessage().contains("invalid user name or password"), refused.getMessage());
    }

    @Test
    void aWrongPasswordAndAnUnknownUserAreRefusedInTheSameWords() throws Exception {
        start();

        ExecutionException wrong = assertThrows(
                ExecutionException.class, () -> RawScram.authenticate(passwordChannel(), "alice", "guess"));
        ExecutionException unknown = assertThrows(
                ExecutionException.class, () -> RawScram.authenticate(passwordChannel(), "mallory", "guess"));

        StatusRuntimeException wrongStatus = assertInstanceOf(StatusRuntimeException.class, wrong.getCause());
        StatusRuntimeException unknownStatus = assertInstanceOf(StatusRuntimeException.class, unknown.getCause());
        assertEquals(Status.Code.UNAUTHENTICATED, wrongStatus.getStatus().getCode());
        assertEquals(
                wrongStatus.getStatus().toString(), unknownStatus.getStatus().toString());
        assertFalse(wrongStatus.getStatus().getDescription().contains("alice"));

        FerryAdmin admin = new FerryAdmin(AdminConfig.of(clientSettings("alice", "guess")));
        clients.add(admin);
        FerryException refused = assertThrows(FerryException.class, admin::describeCluster);
        assertTrue(refused.getMessage().contains("invalid user name or password"), refused.getMessage());
    }

    @Test
    void aCallWithoutALiveSessionIsRefusedWithoutSayingWhy() throws Exception {
        start();
        BrokerServiceBlockingStub noToken = BrokerServiceGrpc.newBlockingStub(passwordChannel());
        BrokerServiceBlockingStub madeUpToken =
                noToken.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("A".repeat(43))));

        StatusRuntimeException none = assertThrows(
                StatusRuntimeException.class, () -> noToken.metadata(MetadataRequest.getDefaultInstance()));
        StatusRuntimeException madeUp = assertThrows(
                StatusRuntimeException.class, () -> madeUpToken.metadata(MetadataRequest.getDefaultInstance()));

        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertEquals(none.getStatus().toString(), madeUp.getStatus().toString());
        // Health checks need no session: answered, not refused.
        HealthGrpc.newBlockingStub(passwordChannel()).check(HealthCheckRequest.getDefaultInstance());
        String token = RawScram.authenticate(passwordChannel(), "alice", "alice-secret");
        assertEquals(
                1.0, node.meterRegistry().get("ferry.sasl.sessions").gauge().value());
        assertEquals(
                1,
                noToken.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header(token)))
                        .metadata(MetadataRequest.getDefaultInstance())
                        .getTopicsCount());
    }

    @Test
    void anExpiredSessionIsRefusedAndTheClientAuthenticatesAgainUnasked() throws Exception {
        start("connections.max.reauth.ms=1000");
        String token = RawScram.authenticate(passwordChannel(), "alice", "alice-secret");
        BrokerServiceBlockingStub withToken = BrokerServiceGrpc.newBlockingStub(passwordChannel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header(token)));
        assertEquals(1, withToken.metadata(MetadataRequest.getDefaultInstance()).getTopicsCount());

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(
                        Status.Code.UNAUTHENTICATED,
                        assertThrows(
                                        StatusRuntimeException.class,
                                        () -> withToken.metadata(MetadataRequest.getDefaultInstance()))
                                .getStatus()
                                .getCode()));

        FerryAdmin admin = new FerryAdmin(AdminConfig.of(clientSettings("alice", "alice-secret")));
        clients.add(admin);
        int before = lookups.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertEquals(Set.of(TOPIC), admin.listTopics(), "every call is served");
            return lookups.get() - before >= 3;
        });

        // A producer's stream ends with its session; the producer opens a new one and every record is written.
        FerryProducer producer = producer("alice", "alice-secret");
        int beforeProducing = lookups.get();
        AtomicInteger written = new AtomicInteger();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertEquals(written.get(), send(producer, "v" + written.getAndIncrement()));
            return lookups.get() - beforeProducing >= 3;
        });
    }

    @Test
    void aPlaintextConnectionIsRefusedAndACertificateNeedsNoSession() throws Exception {
        start();

        StatusRuntimeException plaintext = assertThrows(
                StatusRuntimeException.class,
                () -> BrokerServiceGrpc.newBlockingStub(channel(InsecureChannelCredentials.create()))
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .metadata(MetadataRequest.getDefaultInstance()));
        // The TLS listener's own refusal of plaintext (TlsOnlyNegotiator), before any session is looked at.
        assertEquals(Status.Code.PERMISSION_DENIED, plaintext.getStatus().getCode());

        BrokerServiceBlockingStub certificate = BrokerServiceGrpc.newBlockingStub(certificateChannel("admin"));
        assertEquals(
                1, certificate.metadata(MetadataRequest.getDefaultInstance()).getTopicsCount());
        assertEquals(0, lookups.get(), "no password exchange was run");
    }

    private static Metadata header(String token) {
        Metadata headers = new Metadata();
        headers.put(SESSION, token);
        return headers;
    }
}
