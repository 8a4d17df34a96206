package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryConsumer;
import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.grpc.ManagedChannel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateAclsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with {@code kafka.listeners}: Kafka's own producer and consumer (kafka-clients 4.4) write and read
 * its logs unmodified, with every acks and the idempotent producer; records written over gRPC are read by a
 * Kafka consumer; and frames that are not requests (a length that lies, an unknown API, a body that does not
 * parse) close only their own connection, while a client asking ApiVersions at a version the broker does not
 * know is told the versions it does.
 */
class KafkaListenerTest {

    @TempDir
    Path dir;

    private KafkaListenerNode listener;
    private FerryNode node;
    private ManagedChannel grpc;
    private int kafkaPort;

    @BeforeEach
    void startNode() throws Exception {
        listener = KafkaListenerNode.start(dir);
        node = listener.node;
        grpc = listener.grpc;
        kafkaPort = listener.kafkaPort;
    }

    @AfterEach
    void stopNode() throws Exception {
        listener.close();
    }

    @Test
    void kafkasProducerWritesWithEveryAcksAndItsConsumerReadsItAllBack() throws Exception {
        createTopic(grpc, "orders", 3, Map.of());
        List<String> sent = new ArrayList<>();
        Map<TopicPartition, List<Long>> offsets = new HashMap<>();
        for (String acks : List.of("all", "1", "0")) {
            Properties config = listener.producerConfig();
            config.put(ProducerConfig.ACKS_CONFIG, acks);
            // Kafka's producer is idempotent by default, which needs acks=all.
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(acks.equals("all")));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                List<Future<RecordMetadata>> acked = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    String value = "acks" + acks + "-" + i;
                    ProducerRecord<String, String> record = new ProducerRecord<>("orders", "key-" + i, value);
                    record.headers().add(new RecordHeader("source", acks.getBytes(StandardCharsets.UTF_8)));
                    acked.add(producer.send(record));
                    sent.add(value);
                }
                for (Future<RecordMetadata> f : acked) {
                    RecordMetadata metadata = f.get(30, TimeUnit.SECONDS);
                    if (!acks.equals("0")) {
                        offsets.computeIfAbsent(
                                        new TopicPartition(metadata.topic(), metadata.partition()),
                                        tp -> new ArrayList<>())
                                .add(metadata.offset());
                    }
                }
            }
        }
        List<ConsumerRecord<String, String>> read = consumeAll("orders", 3, sent.size());
        assertEquals(
                sent.stream().sorted().toList(),
                read.stream().map(ConsumerRecord::value).sorted().toList());
        for (ConsumerRecord<String, String> record : read) {
            String acks = new String(record.headers().lastHeader("source").value(), StandardCharsets.UTF_8);
            assertTrue(record.value().startsWith("acks" + acks + "-"), record.toString());
            assertEquals("key-" + record.value().substring(record.value().indexOf('-') + 1), record.key());
        }
        // Each acknowledged offset holds the record it was acknowledged for: offsets are unique per partition.
        offsets.forEach(
                (tp, list) -> assertEquals(list.size(), list.stream().distinct().count(), tp.toString()));
    }

    @Test
    void aKafkaConsumerGroupOnKip848ConsumesCommitsAndResumesWhereItCommitted() throws Exception {
        createTopic(grpc, "events", 3, Map.of());
        listener.produce("events", "first-", 90);
        Properties group = listener.consumerConfig();
        group.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
        group.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        assertEquals(90, KafkaListenerNode.consumeInGroup(group, "events", 90).size());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("billing")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(3, committed.size(), committed.toString());
            assertEquals(
                    90,
                    committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum());
        }
        listener.produce("events", "second-", 12);
        List<String> resumed = KafkaListenerNode.consumeInGroup(group, "events", 12);
        assertEquals(12, resumed.size(), resumed.toString());
        assertTrue(resumed.stream().allMatch(v -> v.startsWith("second-")), resumed.toString());
    }

    @Test
    void kafkasAdminClientManagesTopicsConfigsRecordsAndGroups() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            // The cluster's id, chosen by its first active controller: the same in DescribeCluster and Metadata.
            String clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            assertTrue(clusterId != null && clusterId.matches("[A-Za-z0-9_-]{22}"), clusterId);
            assertEquals(clusterId, metadata(List.of()).clusterId());
            assertEquals(
                    List.of(1),
                    admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                            .map(Node::id)
                            .toList());
            admin.createTopics(List.of(new NewTopic("ledger", 2, (short) 1).configs(Map.of("retention.ms", "3600000"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("ledger"));
            // An empty topic list asks for none (the admin client's describeCluster); a null one for every topic.
            assertEquals(
                    List.of(),
                    metadata(List.of()).topics().stream().map(t -> t.name()).toList());
            assertTrue(metadata(null).topics().stream().anyMatch(t -> t.name().equals("ledger")));
            TopicDescription ledger = admin.describeTopics(List.of("ledger"))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get("ledger");
            assertEquals(2, ledger.partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "ledger");
            assertEquals(
                    "3600000",
                    admin.describeConfigs(List.of(resource))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(resource)
                            .get("retention.ms")
                            .value());
            admin.incrementalAlterConfigs(Map.of(
                            resource,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "7200000"
                            .equals(admin.describeConfigs(List.of(resource))
                                    .all()
                                    .get(30, TimeUnit.SECONDS)
                                    .get(resource)
                                    .get("retention.ms")
                                    .value()));
            admin.createPartitions(Map.of("ledger", NewPartitions.increaseTo(4)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> admin.describeTopics(List.of("ledger"))
                                    .allTopicNames()
                                    .get(30, TimeUnit.SECONDS)
                                    .get("ledger")
                                    .partitions()
                                    .size()
                            == 4);

            listener.produce("ledger", "r", 40);
            TopicPartition first = new TopicPartition("ledger", 0);
            long end = admin.listOffsets(Map.of(first, OffsetSpec.latest()))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(first)
                    .offset();
            assertTrue(end > 0, "partition 0 got none of 40 keyed records");
            assertEquals(
                    end,
                    admin.deleteRecords(Map.of(first, RecordsToDelete.beforeOffset(end)))
                            .lowWatermarks()
                            .get(first)
                            .get(30, TimeUnit.SECONDS)
                            .lowWatermark());
            assertEquals(
                    end,
                    admin.listOffsets(Map.of(first, OffsetSpec.earliest()))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(first)
                            .offset());

            Properties group = listener.consumerConfig();
            group.put(ConsumerConfig.GROUP_ID_CONFIG, "auditors");
            group.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            group.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> member = new KafkaConsumer<>(group)) {
                member.subscribe(List.of("ledger"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    member.poll(Duration.ofMillis(100));
                    return member.assignment().size() == 4;
                });
                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of("auditors"))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get("auditors");
                assertEquals(1, described.members().size(), described.toString());
                assertEquals(
                        4,
                        described
                                .members()
                                .iterator()
                                .next()
                                .assignment()
                                .topicPartitions()
                                .size());
                assertTrue(admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
                        .anyMatch(listing -> listing.groupId().equals("auditors")));
                member.commitSync(Duration.ofSeconds(30));
            }
            // An operator resets the group's offset of partition 0 while it has no member, as
            // kafka-consumer-groups --reset-offsets does.
            TopicPartition reset = new TopicPartition("ledger", 0);
            TopicPartition dropped = new TopicPartition("ledger", 1);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> admin.alterConsumerGroupOffsets(
                                    "auditors",
                                    Map.of(reset, new OffsetAndMetadata(1), dropped, new OffsetAndMetadata(0)))
                            .all()
                            .get(30, TimeUnit.SECONDS));
            assertEquals(
                    1,
                    admin.listConsumerGroupOffsets("auditors")
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS)
                            .get(reset)
                            .offset());
            // kafka-consumer-groups --delete-offsets: one partition's committed offset goes, the others stay.
            admin.deleteConsumerGroupOffsets("auditors", java.util.Set.of(dropped))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> left = admin.listConsumerGroupOffsets("auditors")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            // Partition 1 had an offset (set above); only it is gone.
            assertTrue(!left.containsKey(dropped) && left.containsKey(reset), left.toString());
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> admin.deleteConsumerGroups(List.of("auditors"))
                            .all()
                            .get(30, TimeUnit.SECONDS));
            admin.deleteTopics(List.of("ledger")).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !admin.listTopics()
                            .names()
                            .get(30, TimeUnit.SECONDS)
                            .contains("ledger"));
        }
    }

    @Test
    void kafkasAdminClientCreatesDescribesAndDeletesAcls() throws Exception {
        AclBinding readOrders = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
        AclBinding billingGroups = new AclBinding(
                new ResourcePattern(ResourceType.GROUP, "billing-", PatternType.PREFIXED),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
        AclBinding denyDeletes = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:bob", "10.0.0.1", AclOperation.DELETE, AclPermissionType.DENY));
        AclBinding transactional = new AclBinding(
                new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "tx", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            CreateAclsResult created = admin.createAcls(List.of(readOrders, billingGroups, denyDeletes, transactional));
            created.values().get(readOrders).get(30, TimeUnit.SECONDS);
            created.values().get(billingGroups).get(30, TimeUnit.SECONDS);
            created.values().get(denyDeletes).get(30, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> created.values().get(transactional).get(30, TimeUnit.SECONDS));
            assertInstanceOf(InvalidRequestException.class, refused.getCause());
            assertTrue(
                    refused.getCause().getMessage().contains("TRANSACTIONAL_ID"),
                    refused.getCause().getMessage());

            assertEquals(
                    Set.of(readOrders, billingGroups, denyDeletes),
                    Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)));
            AclBindingFilter ofOrders = new AclBindingFilter(
                    new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                    AccessControlEntryFilter.ANY);
            assertEquals(
                    Set.of(readOrders, denyDeletes),
                    Set.copyOf(admin.describeAcls(ofOrders).values().get(30, TimeUnit.SECONDS)));

            AclBindingFilter bobs = new AclBindingFilter(
                    ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:bob", null, AclOperation.ANY, AclPermissionType.ANY));
            assertEquals(
                    List.of(denyDeletes),
                    List.copyOf(admin.deleteAcls(List.of(bobs)).all().get(30, TimeUnit.SECONDS)));
            assertEquals(
                    Set.of(readOrders, billingGroups),
                    Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS)));
        }
    }

    @Test
    void aGroupsCommittedOffsetsAreSharedByFerryAndKafkaMembers() throws Exception {
        createTopic(grpc, "shared", 2, Map.of());
        listener.produce("shared", "a", 10);
        Map<String, String> ferryMember = Map.of(
                "bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort(),
                "group.id", "mixed",
                "auto.offset.reset", "earliest",
                "enable.auto.commit", "false");
        assertEquals(10, consumeAsFerryMember(ferryMember, "shared", 10).size());

        listener.produce("shared", "b", 5);
        Properties kafkaMember = listener.consumerConfig();
        kafkaMember.put(ConsumerConfig.GROUP_ID_CONFIG, "mixed");
        kafkaMember.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        kafkaMember.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> kafkaRead = KafkaListenerNode.consumeInGroup(kafkaMember, "shared", 5);
        assertEquals(5, kafkaRead.size(), kafkaRead.toString());
        assertTrue(kafkaRead.stream().allMatch(v -> v.startsWith("b")), kafkaRead.toString());

        listener.produce("shared", "c", 3);
        List<String> ferryRead = consumeAsFerryMember(ferryMember, "shared", 3);
        assertEquals(3, ferryRead.size(), ferryRead.toString());
        assertTrue(ferryRead.stream().allMatch(v -> v.startsWith("c")), ferryRead.toString());
    }

    /** A member of the group through Ferry's own client (gRPC): polls until {@code expected} records, commits. */
    private static List<String> consumeAsFerryMember(Map<String, String> config, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (FerryConsumer consumer = new FerryConsumer(io.ferry.client.ConsumerConfig.of(config))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (io.ferry.client.ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            consumer.commitSync();
        }
        return values;
    }

    @Test
    void recordsWrittenOverGrpcAreReadByKafkasConsumer() throws Exception {
        createTopic(grpc, "mixed", 1, Map.of());
        assertEquals(
                ErrorCode.NONE,
                BrokerTestSupport.produce(grpc, Acks.ACKS_ALL, "mixed", 0, BrokerTestSupport.batch("g", 5))
                        .getError()
                        .getCode());
        List<ConsumerRecord<String, String>> read = consumeAll("mixed", 1, 5);
        assertEquals(
                List.of("g0", "g1", "g2", "g3", "g4"),
                read.stream().map(ConsumerRecord::value).toList());
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L),
                read.stream().map(ConsumerRecord::offset).toList());
    }

    @Test
    void framesThatAreNotRequestsCloseOnlyTheirConnection() throws Exception {
        createTopic(grpc, "after", 1, Map.of());
        // A length far beyond the largest request: refused before a byte of it is buffered.
        assertClosedAfter(frame -> frame.writeInt(Integer.MAX_VALUE));
        // A negative length.
        assertClosedAfter(frame -> frame.writeInt(-5));
        // An API key Kafka does not have.
        assertClosedAfter(frame -> KafkaWire.writeFrame(frame, header((short) 9_999, (short) 0)));
        // An API Kafka has and this listener does not serve (LeaderAndIsr, a controller's request).
        assertClosedAfter(frame -> KafkaWire.writeFrame(frame, header(ApiKeys.LEADER_AND_ISR.id, (short) 7)));
        // Produce whose body stops after its header.
        assertClosedAfter(frame -> KafkaWire.writeFrame(frame, header(ApiKeys.PRODUCE.id, (short) 9)));
        // Produce whose body is random bytes.
        assertClosedAfter(frame -> {
            ByteBuffer header = header(ApiKeys.PRODUCE.id, (short) 9);
            ByteBuffer request = ByteBuffer.allocate(header.remaining() + 64);
            request.put(header);
            for (int i = 0; i < 64; i++) {
                request.put((byte) (i * 37 + 11));
            }
            KafkaWire.writeFrame(frame, request.flip());
        });
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(listener.producerConfig())) {
            assertEquals(
                    0,
                    producer.send(new ProducerRecord<>("after", 0, "k", "v"))
                            .get(30, TimeUnit.SECONDS)
                            .offset());
        }
    }

    @Test
    void apiVersionsAtAnUnknownVersionIsAnsweredWithTheVersionsServed() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // Version 3 and later share one header layout (v2, with tagged fields), so the newer client's header
            // parses; its version (bytes 2-3) is then set to one no broker serves.
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "probe", 7);
            ByteBuffer request = KafkaWire.serialize(header, new ApiVersionsRequestData(), (short) 3);
            request.putShort(2, (short) 999);
            KafkaWire.writeFrame(out, request);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            ByteBuffer buffer = ByteBuffer.wrap(answer);
            assertEquals(7, ResponseHeader.parse(buffer, (short) 0).correlationId());
            ApiVersionsResponseData versions = new ApiVersionsResponseData(new ByteBufferAccessor(buffer), (short) 0);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), versions.errorCode());
            assertTrue(versions.apiKeys().find(ApiKeys.PRODUCE.id) != null, versions.toString());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderSentBeyondTheRequestsHandledAtOnce() throws Exception {
        createTopic(grpc, "pipelined", 1, Map.of());
        int requests = 200;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // Every request written before any answer is read: the broker handles 16 at a time and reads the
            // rest as the first answers go out. Fetches that wait (max wait 200 ms, one byte wanted of an empty
            // partition) interleave with Metadata answered at once, so later answers are ready before earlier ones.
            for (int i = 0; i < requests; i++) {
                short version = 12;
                ByteBuffer request = i % 2 == 0
                        ? KafkaWire.serialize(
                                new RequestHeader(ApiKeys.METADATA, version, "pipeline", i),
                                new MetadataRequestData().setTopics(List.of()),
                                version)
                        : KafkaWire.serialize(
                                new RequestHeader(ApiKeys.FETCH, version, "pipeline", i),
                                new FetchRequestData()
                                        .setReplicaId(-1)
                                        .setMaxWaitMs(200)
                                        .setMinBytes(1)
                                        .setMaxBytes(1 << 20)
                                        .setSessionEpoch(-1)
                                        .setTopics(List.of(new FetchRequestData.FetchTopic()
                                                .setTopic("pipelined")
                                                .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                                        .setPartition(0)
                                                        .setFetchOffset(0)
                                                        .setPartitionMaxBytes(1 << 16)
                                                        .setCurrentLeaderEpoch(-1))))),
                                version);
                KafkaWire.writeFrame(out, request);
            }
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = 0; i < requests; i++) {
                byte[] answer = new byte[in.readInt()];
                in.readFully(answer);
                ApiKeys api = i % 2 == 0 ? ApiKeys.METADATA : ApiKeys.FETCH;
                ResponseHeader header =
                        ResponseHeader.parse(ByteBuffer.wrap(answer), api.responseHeaderVersion((short) 12));
                assertEquals(i, header.correlationId(), "answer " + i + " out of order");
            }
        }
    }

    @Test
    void offsetForLeaderEpochTellsWhereTheLeadersEpochEnds() throws Exception {
        createTopic(grpc, "epochs", 1, Map.of());
        listener.produce("epochs", "e", 7);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                .setTopic("epochs")
                .setPartitions(List.of(
                        // The current epoch (the partition's first, 0): it ends at the log end.
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                .setPartition(0)
                                .setCurrentLeaderEpoch(-1)
                                .setLeaderEpoch(0),
                        // The same partition again: refused, as every Ferry request refuses a partition named twice.
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                .setPartition(0)
                                .setCurrentLeaderEpoch(7)
                                .setLeaderEpoch(0),
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                .setPartition(3)
                                .setCurrentLeaderEpoch(-1)
                                .setLeaderEpoch(0))));
        topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                .setTopic("no-such-topic")
                .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(0)
                        .setCurrentLeaderEpoch(-1)
                        .setLeaderEpoch(0))));
        short version = 4;
        ByteBuffer answer = exchange(
                new RequestHeader(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, "epochs", 3),
                new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics),
                version);
        OffsetForLeaderEpochResponseData response =
                new OffsetForLeaderEpochResponseData(new ByteBufferAccessor(answer), version);
        List<OffsetForLeaderEpochResponseData.EpochEndOffset> ends =
                response.topics().find("epochs").partitions();
        assertEquals(Errors.NONE.code(), ends.get(0).errorCode(), response.toString());
        assertEquals(0, ends.get(0).leaderEpoch());
        assertEquals(7, ends.get(0).endOffset());
        assertEquals(Errors.INVALID_REQUEST.code(), ends.get(1).errorCode(), response.toString());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), ends.get(2).errorCode(), response.toString());
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                response.topics().find("no-such-topic").partitions().get(0).errorCode());

        // A leader epoch newer than the leader's own: the caller knows of a leader this broker is not yet.
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection ahead =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        ahead.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                .setTopic("epochs")
                .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(0)
                        .setCurrentLeaderEpoch(7)
                        .setLeaderEpoch(0))));
        OffsetForLeaderEpochResponseData refused = new OffsetForLeaderEpochResponseData(
                new ByteBufferAccessor(exchange(
                        new RequestHeader(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, "epochs", 4),
                        new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(ahead),
                        version)),
                version);
        assertEquals(
                Errors.UNKNOWN_LEADER_EPOCH.code(),
                refused.topics().find("epochs").partitions().get(0).errorCode(),
                refused.toString());
    }

    /** A Metadata request at version 12 for {@code topics} (null: every topic), on its own connection. */
    private MetadataResponseData metadata(List<MetadataRequestData.MetadataRequestTopic> topics) throws IOException {
        short version = 12;
        return new MetadataResponseData(
                new ByteBufferAccessor(exchange(
                        new RequestHeader(ApiKeys.METADATA, version, "metadata", 1),
                        new MetadataRequestData().setTopics(topics),
                        version)),
                version);
    }

    private ByteBuffer exchange(RequestHeader header, org.apache.kafka.common.protocol.Message body, short version)
            throws IOException {
        return KafkaWire.exchange(kafkaPort, header, body, version);
    }

    private interface FrameWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /** Sends what {@code writer} writes on a new connection and expects the broker to close it. */
    private void assertClosedAfter(FrameWriter writer) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), kafkaPort)) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            writer.write(out);
            out.flush();
            try {
                int read = socket.getInputStream().read();
                assertEquals(-1, read, "the broker answered instead of closing the connection");
            } catch (SocketException reset) {
                // Closed with unread bytes in the broker's buffer: a reset is a close too.
            } catch (EOFException closed) {
                // closed
            }
        }
    }

    private static ByteBuffer header(short apiKey, short version) {
        ByteBuffer header = ByteBuffer.allocate(10);
        header.putShort(apiKey).putShort(version).putInt(1).putShort((short) -1);
        return header.flip();
    }

    /** Reads every partition of {@code topic} from its start until {@code expected} records came. */
    private List<ConsumerRecord<String, String>> consumeAll(String topic, int partitions, int expected) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(listener.consumerConfig())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }
}
