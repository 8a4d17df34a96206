package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's classic group protocol on the Kafka listener: classic consumers (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) are members of a consumer group whose coordinator assigns, beside KIP-848 members of the same
 * group; DescribeGroups shows them; and classic calls with wrong fields get Kafka's errors.
 */
class KafkaClassicGroupTest {

    @TempDir
    Path dir;

    private KafkaListenerNode listener;
    private ManagedChannel grpc;
    private int kafkaPort;

    @BeforeEach
    void startNode() throws Exception {
        listener = KafkaListenerNode.start(dir);
        grpc = listener.grpc;
        kafkaPort = listener.kafkaPort;
    }

    @AfterEach
    void stopNode() throws Exception {
        listener.close();
    }

    @Test
    void aClassicConsumerGroupConsumesCommitsAndResumesWhereItCommitted() throws Exception {
        createTopic(grpc, "invoices", 3, Map.of());
        listener.produce("invoices", "first-", 90);
        Properties group = consumerConfig("accounts", RangeAssignor.class);
        List<String> first = KafkaListenerNode.consumeInGroup(group, "invoices", 90);
        assertEquals(90, first.size(), first.toString());
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("accounts")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(
                    90,
                    committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum(),
                    committed.toString());
        }
        listener.produce("invoices", "second-", 12);
        List<String> resumed = KafkaListenerNode.consumeInGroup(group, "invoices", 12);
        assertEquals(12, resumed.size(), resumed.toString());
        assertTrue(resumed.stream().allMatch(v -> v.startsWith("second-")), resumed.toString());
    }

    @Test
    void eagerCooperativeAndKip848MembersShareOneGroupsPartitions() throws Exception {
        createTopic(grpc, "clicks", 6, Map.of());
        Set<String> read = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Member> members = List.of(
                new Member(consumerConfig("web", RangeAssignor.class), read, stop),
                new Member(consumerConfig("web", CooperativeStickyAssignor.class), read, stop),
                new Member(kip848Config("web"), read, stop));
        List<Thread> threads = new ArrayList<>();
        for (Member m : members) {
            Thread t = new Thread(m, "member-" + threads.size());
            t.start();
            threads.add(t);
        }
        try {
            awaitSplit(members, 3);
            try (Admin admin = admin()) {
                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of("web"))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get("web");
                assertEquals(3, described.members().size(), described.toString());
            }
            DescribeGroupsResponseData.DescribedGroup classicView = describeGroup("web");
            assertEquals(Errors.NONE.code(), classicView.errorCode());
            assertEquals("consumer", classicView.protocolType());
            assertEquals(3, classicView.members().size(), classicView.toString());
            Set<TopicPartition> shown = new HashSet<>();
            for (DescribeGroupsResponseData.DescribedGroupMember m : classicView.members()) {
                shown.addAll(ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(m.memberAssignment()))
                        .partitions());
            }
            assertEquals(6, shown.size(), shown.toString());

            listener.produce("clicks", "c", 300);
            await().atMost(Duration.ofSeconds(60)).until(() -> read.size() == 300);

            // The cooperative member leaves (LeaveGroup): the other two take its partitions.
            members.get(1).stop.set(true);
            threads.get(1).join(TimeUnit.SECONDS.toMillis(60));
            awaitSplit(List.of(members.get(0), members.get(2)), 2);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
        members.forEach(m -> assertNull(m.failure.get(), "a member failed"));
    }

    /** Waits until the members' partitions are disjoint, each has some, and together they are all six. */
    private static void awaitSplit(List<Member> members, int count) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Set<TopicPartition> union = new HashSet<>();
                    int total = 0;
                    for (Member m : members) {
                        Set<TopicPartition> owned = m.assigned.get();
                        if (owned.isEmpty()) {
                            return false;
                        }
                        union.addAll(owned);
                        total += owned.size();
                    }
                    return members.size() == count && union.size() == 6 && total == 6;
                });
    }

    /** A consumer polling on its own thread until stopped, showing its partitions and what it read. */
    private static final class Member implements Runnable {
        final Properties config;
        final Set<String> read;
        final AtomicBoolean stop;
        final AtomicReference<Set<TopicPartition>> assigned = new AtomicReference<>(Set.of());
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        /** The test's flag, which stops every member; {@link #stop} stops only this one. */
        final AtomicBoolean groupStop;

        Member(Properties config, Set<String> read, AtomicBoolean groupStop) {
            this.config = config;
            this.read = read;
            this.stop = new AtomicBoolean();
            this.groupStop = groupStop;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
                consumer.subscribe(List.of("clicks"));
                while (!stop.get() && !groupStop.get() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> read.add(r.value()));
                    assigned.set(Set.copyOf(consumer.assignment()));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
            assigned.set(Set.of());
        }
    }

    @Test
    void classicCallsWithWrongFieldsGetKafkasErrorsAndTheNodeKeepsServing() throws Exception {
        createTopic(grpc, "audits", 2, Map.of());
        JoinGroupResponseData first = join(joinRequest("", "consumer", subscription("audits")));
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        String memberId = first.memberId();
        assertFalse(memberId.isEmpty());

        assertEquals(
                Errors.INCONSISTENT_GROUP_PROTOCOL.code(),
                join(joinRequest(memberId, "connect", subscription("audits"))).errorCode());
        assertEquals(
                Errors.INVALID_REQUEST.code(),
                join(joinRequest(memberId, "consumer", new byte[] {0, 0, 127, 127, 127}))
                        .errorCode());
        JoinGroupResponseData badTopic =
                joinOnceTheCoordinatorServes(joinRequest(memberId, "consumer", subscription("not a topic!")));
        assertEquals(Errors.INVALID_REQUEST.code(), badTopic.errorCode(), badTopic.toString());
        JoinGroupResponseData joined = join(joinRequest(memberId, "consumer", subscription("audits")));
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertEquals("", joined.leader(), "no member leads: the coordinator assigns");
        assertEquals("range", joined.protocolName());
        int generation = joined.generationId();
        assertTrue(generation > 0, joined.toString());

        assertEquals(
                Errors.ILLEGAL_GENERATION.code(), sync(memberId, generation + 1).errorCode());
        SyncGroupResponseData synced = sync(memberId, generation);
        assertEquals(Errors.NONE.code(), synced.errorCode());
        assertEquals(
                Set.of(new TopicPartition("audits", 0), new TopicPartition("audits", 1)),
                Set.copyOf(ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(synced.assignment()))
                        .partitions()));

        assertEquals(Errors.NONE.code(), heartbeat(memberId, generation).errorCode());
        assertEquals(
                Errors.ILLEGAL_GENERATION.code(),
                heartbeat(memberId, generation - 1).errorCode());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID.code(),
                heartbeat("classic-nobody", generation).errorCode());
        // Hostile fields: a negative generation, a member id past 255 characters, a negative rebalance timeout.
        assertEquals(
                Errors.ILLEGAL_GENERATION.code(),
                heartbeat(memberId, Integer.MIN_VALUE).errorCode());
        assertEquals(
                Errors.INVALID_REQUEST.code(),
                heartbeat("c".repeat(10_000), generation).errorCode());
        assertEquals(
                Errors.INVALID_REQUEST.code(),
                sync("c".repeat(10_000), generation).errorCode());
        assertEquals(
                Errors.INVALID_REQUEST.code(),
                join(joinRequest(memberId, "consumer", subscription("audits")).setRebalanceTimeoutMs(-5))
                        .errorCode());

        // A second member joins: the first must rejoin to give up half of the partitions.
        JoinGroupResponseData second = join(joinRequest("classic-second", "consumer", subscription("audits")));
        assertEquals(Errors.NONE.code(), second.errorCode());
        assertEquals(
                Errors.REBALANCE_IN_PROGRESS.code(),
                heartbeat(memberId, generation).errorCode());

        LeaveGroupResponseData left = leave(memberId);
        assertEquals(Errors.NONE.code(), left.errorCode());
        assertEquals(Errors.NONE.code(), left.members().get(0).errorCode());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID.code(), heartbeat(memberId, generation).errorCode());
        assertEquals("Dead", describeGroup("nobody-knows").groupState());

        MetadataResponseData metadata =
                call(ApiKeys.METADATA, new MetadataRequestData().setTopics(null), MetadataResponseData::new);
        assertEquals(1, metadata.brokers().size());
    }

    /**
     * A JoinGroup sent until the group's coordinator serves it: that is once __consumer_offsets is made (by the
     * first FindCoordinator, as a client sends before anything else) and loaded.
     */
    private JoinGroupResponseData joinOnceTheCoordinatorServes(JoinGroupRequestData request) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> call(
                                        ApiKeys.FIND_COORDINATOR,
                                        new FindCoordinatorRequestData()
                                                .setKeyType((byte) 0)
                                                .setCoordinatorKeys(List.of("hand-written")),
                                        FindCoordinatorResponseData::new)
                                .coordinators()
                                .get(0)
                                .errorCode()
                        == Errors.NONE.code());
        AtomicReference<JoinGroupResponseData> answer = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            answer.set(join(request));
            return !Set.of(
                            Errors.COORDINATOR_NOT_AVAILABLE,
                            Errors.COORDINATOR_LOAD_IN_PROGRESS,
                            Errors.NOT_COORDINATOR)
                    .contains(Errors.forCode(answer.get().errorCode()));
        });
        return answer.get();
    }

    @Test
    void aClassicMemberHasTheSessionItAskedForAndAnAdminRemovesAStaticMemberByItsInstanceId() throws Exception {
        createTopic(grpc, "ledgers", 2, Map.of());
        // group.min.session.timeout.ms (6 s) and group.max.session.timeout.ms (30 min) at their defaults.
        for (int outside : new int[] {5_999, 1_800_001, -1}) {
            assertEquals(
                    Errors.INVALID_SESSION_TIMEOUT.code(),
                    join(joinRequest("", "consumer", subscription("ledgers")).setSessionTimeoutMs(outside))
                            .errorCode(),
                    outside + " ms");
        }

        JoinGroupResponseData pinned = joinOnceTheCoordinatorServes(joinRequest("", "consumer", subscription("ledgers"))
                .setGroupInstanceId("ledger-1")
                .setSessionTimeoutMs(6_000));
        assertEquals(Errors.NONE.code(), pinned.errorCode(), pinned.toString());
        assertEquals(
                Errors.NONE.code(),
                sync(pinned.memberId(), "ledger-1", pinned.generationId()).errorCode());
        // A classic member's commit from a generation not its own: ILLEGAL_GENERATION, so its client rejoins.
        OffsetCommitResponseData stale = call(
                ApiKeys.OFFSET_COMMIT,
                (short) 9,
                new OffsetCommitRequestData()
                        .setGroupId("hand-written")
                        .setMemberId(pinned.memberId())
                        .setGroupInstanceId("ledger-1")
                        .setGenerationIdOrMemberEpoch(pinned.generationId() + 5)
                        .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName("ledgers")
                                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(3))))),
                OffsetCommitResponseData::new);
        assertEquals(
                Errors.ILLEGAL_GENERATION.code(),
                stale.topics().get(0).partitions().get(0).errorCode());

        // kafka-consumer-groups and the admin client remove a static member by its instance id alone.
        try (Admin admin = admin()) {
            admin.removeMembersFromConsumerGroup(
                            "hand-written",
                            new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove("ledger-1"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            ExecutionException unknown = assertThrows(
                    ExecutionException.class,
                    () -> admin.removeMembersFromConsumerGroup(
                                    "hand-written",
                                    new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove("ledger-9"))))
                            .all()
                            .get(30, TimeUnit.SECONDS));
            assertTrue(unknown.getCause() instanceof UnknownMemberIdException, unknown.toString());
        }
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID.code(),
                heartbeat(pinned.memberId(), pinned.generationId()).errorCode());

        // A dynamic member that asked for 6 s is removed once 6 s pass without a heartbeat, long before the
        // group's 45 s (group.consumer.session.timeout.ms).
        JoinGroupResponseData brief = join(joinRequest("classic-brief", "consumer", subscription("ledgers"))
                .setSessionTimeoutMs(6_000));
        assertEquals(Errors.NONE.code(), brief.errorCode(), brief.toString());
        assertEquals(
                Errors.NONE.code(), sync("classic-brief", brief.generationId()).errorCode());
        assertEquals(1, describeGroup("hand-written").members().size());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> describeGroup("hand-written").members().isEmpty());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID.code(),
                heartbeat("classic-brief", brief.generationId()).errorCode());
    }

    private static byte[] subscription(String topic) {
        ByteBuffer buffer =
                ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic)));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static JoinGroupRequestData joinRequest(String memberId, String protocolType, byte[] metadata) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata(metadata));
        return new JoinGroupRequestData()
                .setGroupId("hand-written")
                .setMemberId(memberId)
                .setSessionTimeoutMs(45_000)
                .setRebalanceTimeoutMs(30_000)
                .setProtocolType(protocolType)
                .setProtocols(protocols);
    }

    private JoinGroupResponseData join(JoinGroupRequestData request) throws Exception {
        return call(ApiKeys.JOIN_GROUP, request, JoinGroupResponseData::new);
    }

    private SyncGroupResponseData sync(String memberId, int generation) throws Exception {
        return sync(memberId, null, generation);
    }

    private SyncGroupResponseData sync(String memberId, String instanceId, int generation) throws Exception {
        return call(
                ApiKeys.SYNC_GROUP,
                new SyncGroupRequestData()
                        .setGroupId("hand-written")
                        .setMemberId(memberId)
                        .setGroupInstanceId(instanceId)
                        .setGenerationId(generation)
                        .setProtocolType("consumer")
                        .setProtocolName("range"),
                SyncGroupResponseData::new);
    }

    private HeartbeatResponseData heartbeat(String memberId, int generation) throws Exception {
        return call(
                ApiKeys.HEARTBEAT,
                new HeartbeatRequestData()
                        .setGroupId("hand-written")
                        .setMemberId(memberId)
                        .setGenerationId(generation),
                HeartbeatResponseData::new);
    }

    private LeaveGroupResponseData leave(String memberId) throws Exception {
        return call(
                ApiKeys.LEAVE_GROUP,
                new LeaveGroupRequestData()
                        .setGroupId("hand-written")
                        .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId))),
                LeaveGroupResponseData::new);
    }

    private DescribeGroupsResponseData.DescribedGroup describeGroup(String groupId) throws Exception {
        DescribeGroupsResponseData described = call(
                ApiKeys.DESCRIBE_GROUPS,
                new DescribeGroupsRequestData().setGroups(List.of(groupId)),
                DescribeGroupsResponseData::new);
        return described.groups().get(0);
    }

    /** One request at the newest version, on its own connection; its answer read by {@code answer}. */
    private <T> T call(ApiKeys api, Message request, BiFunction<Readable, Short, T> answer) throws Exception {
        return call(api, api.latestVersion(), request, answer);
    }

    private <T> T call(ApiKeys api, short version, Message request, BiFunction<Readable, Short, T> answer)
            throws Exception {
        ByteBuffer body = KafkaWire.exchange(kafkaPort, new RequestHeader(api, version, "hand", 1), request, version);
        return answer.apply(new ByteBufferAccessor(body), version);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort));
    }

    /** A classic member of {@code group} with the given client-side assignor (its protocol name). */
    private Properties consumerConfig(String group, Class<?> assignor) {
        Properties config = kip848Config(group);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        return config;
    }

    /** A KIP-848 member of {@code group}, committing only when told, from the earliest offset. */
    private Properties kip848Config(String group) {
        Properties config = listener.consumerConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }
}
