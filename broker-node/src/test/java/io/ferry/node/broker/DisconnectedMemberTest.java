package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code group.consumer.disconnect.grace.ms} on one broker,controller node: a member whose connection ends is
 * removed after the grace, long before its session timeout, unless it heartbeats again on a new connection.
 * Each member heartbeats over a channel of its own, so that closing it ends exactly that member's connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisconnectedMemberTest {

    /** Far beyond any wait here: a member removed in this test was removed by its connection's end. */
    private static final int SESSION_MS = 60_000;

    private static final int GRACE_MS = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private FerryNode node;
    /** Creates the topic and describes groups; on a connection no member heartbeats on. */
    private ManagedChannel admin;
    /** The members' channels of one test. */
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    void startNode() throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("offsets.topic.num.partitions=1");
        settings.add("group.consumer.session.timeout.ms=" + SESSION_MS);
        settings.add("group.consumer.heartbeat.interval.ms=500");
        settings.add("group.consumer.disconnect.grace.ms=" + GRACE_MS);
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(WAIT).until(node::isHealthy);
        admin = BrokerTestSupport.channel(node);
        createTopic(admin, "events", 2, Map.of());
        await().atMost(WAIT)
                .until(() -> groups(admin)
                                .findCoordinator(FindCoordinatorRequest.newBuilder()
                                        .setGroupId("any")
                                        .build())
                                .getError()
                                .getCode()
                        == ErrorCode.NONE);
        await().atMost(WAIT).until(() -> describe("any").getError().getCode() == ErrorCode.GROUP_ID_NOT_FOUND);
    }

    @AfterEach
    void closeChannels() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }

    @AfterAll
    void stopNode() throws InterruptedException {
        admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    private ManagedChannel channel() {
        ManagedChannel channel = BrokerTestSupport.channel(node);
        channels.add(channel);
        return channel;
    }

    private static GroupServiceBlockingStub groups(ManagedChannel channel) {
        return GroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private DescribeGroupsResponse.Description describe(String groupId) {
        return groups(admin)
                .describeGroups(
                        DescribeGroupsRequest.newBuilder().addGroupIds(groupId).build())
                .getGroups(0);
    }

    private Set<String> members(String groupId) {
        Set<String> ids = new TreeSet<>();
        describe(groupId).getMembersList().forEach(m -> ids.add(m.getMemberId()));
        return ids;
    }

    /** Heartbeats until the member has an epoch and the answer has no error. */
    private static void joined(GroupTestMember member, ManagedChannel channel) {
        await().atMost(WAIT)
                .until(() ->
                        member.heartbeat(groups(channel)).getError().getCode() == ErrorCode.NONE && member.epoch() > 0);
    }

    @Test
    void aMemberWhoseConnectionClosedIsRemovedAfterTheGraceAndItsPartitionsGoToTheOther() throws Exception {
        ManagedChannel survivorChannel = channel();
        ManagedChannel doomedChannel = channel();
        GroupTestMember survivor = new GroupTestMember("closing", List.of("events"));
        GroupTestMember doomed = new GroupTestMember("closing", List.of("events"));
        joined(survivor, survivorChannel);
        joined(doomed, doomedChannel);
        await().atMost(WAIT).until(() -> {
            survivor.heartbeat(groups(survivorChannel));
            doomed.heartbeat(groups(doomedChannel));
            return survivor.owned().size() == 1 && doomed.owned().size() == 1;
        });

        doomedChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> {
            survivor.heartbeat(groups(survivorChannel));
            return survivor.owned().equals(Set.of("events-0", "events-1"));
        });
        assertEquals(Set.of(survivor.memberId()), members("closing"));
    }

    @Test
    void aMemberThatHeartbeatsAgainOnANewConnectionStays() throws Exception {
        // The witness shares the closed connection and does not come back: its removal shows that the grace
        // has passed since the end.
        ManagedChannel closing = channel();
        GroupTestMember returning = new GroupTestMember("returning", List.of("events"));
        GroupTestMember witness = new GroupTestMember("returning", List.of("events"));
        joined(returning, closing);
        joined(witness, closing);
        assertEquals(Set.of(returning.memberId(), witness.memberId()), members("returning"));

        closing.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        ManagedChannel reconnected = channel();
        assertEquals(
                ErrorCode.NONE,
                returning.heartbeat(groups(reconnected)).getError().getCode());

        await().atMost(WAIT).until(() -> members("returning").equals(Set.of(returning.memberId())));
        await().during(Duration.ofMillis(GRACE_MS))
                .atMost(WAIT)
                .until(() -> members("returning").equals(Set.of(returning.memberId())));
    }
}
