package io.ferry.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.cli.CliRunner.Result;
import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry groups} against a real single node, checking what a user reads: offsets reset and
 * described, groups listed and deleted, and groups with members refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsEndToEndTest {

    private TestNode node;

    @BeforeAll
    void startNode(@TempDir Path dir) throws Exception {
        node = TestNode.start(dir);
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private Result ferry(String stdin, String... args) {
        return node.ferry(stdin, args);
    }

    private Result ok(String... args) {
        Result r = ferry("", args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    private void produce(String lines, String topic, int partition) {
        Result r = ferry(lines, "produce", "--topic", topic, "--partition", Integer.toString(partition));
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** The first group call of a cluster: FindCoordinator answers COORDINATOR_NOT_AVAILABLE until
     * __consumer_offsets has leaders, and the admin retries until then. */
    @Test
    @Order(1)
    void firstGroupCallOfAFreshClusterWaitsForTheOffsetsTopic() {
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of(
                "bootstrap.servers", node.bootstrap(), "retry.backoff.ms", "20", "default.api.timeout.ms", "30000")))) {
            assertEquals(Map.of(), admin.listConsumerGroupOffsets("first"));
            assertEquals(List.of(), admin.listConsumerGroups());
        }
    }

    @Test
    @Order(2)
    void resetDescribeListAndDeleteAnEmptyGroup() {
        ok("topic", "create", "--topic", "orders", "--partitions", "2");
        produce("a\nb\nc\nd\ne\n", "orders", 0);
        produce("f\ng\nh\n", "orders", 1);

        Result dryRun = ok("groups", "reset-offsets", "--group", "billing", "--topic", "orders", "--to-earliest");
        assertEquals(
                "GROUP   TOPIC  PARTITION NEW-OFFSET\n"
                        + "billing orders 0         0\n"
                        + "billing orders 1         0\n",
                dryRun.out());
        assertTrue(dryRun.err().contains("nothing was changed"), dryRun.toString());
        Result unknown = ferry("", "groups", "describe", "--group", "billing");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertEquals("error: GROUP_ID_NOT_FOUND: group 'billing' does not exist on its coordinator\n", unknown.err());

        Result executed = ok(
                "groups",
                "reset-offsets",
                "--group",
                "billing",
                "--topic",
                "orders:0,1",
                "--to-offset",
                "2",
                "--execute");
        assertEquals("", executed.err());
        Result described = ok("groups", "describe", "--group", "billing");
        assertEquals(
                "Consumer group 'billing' has no active members.\n\n"
                        + "GROUP   TOPIC  PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID\n"
                        + "billing orders 0         2              5              3   -           -    -\n"
                        + "billing orders 1         2              3              1   -           -    -\n",
                described.out());

        Result shifted = ok(
                "groups", "reset-offsets", "--group", "billing", "--topic", "orders:1", "--shift-by", "5", "--dry-run");
        assertEquals("GROUP   TOPIC  PARTITION NEW-OFFSET\nbilling orders 1         3\n", shifted.out());
        assertEquals(
                described.out(), ok("groups", "describe", "--group", "billing").out(), "a dry run changes nothing");

        assertTrue(ok("groups", "list").out().lines().toList().contains("billing"));
        assertEquals(
                "Deleted consumer group billing.\n",
                ok("groups", "delete", "--group", "billing").out());
        assertFalse(ok("groups", "list").out().lines().toList().contains("billing"));
        Result again = ferry("", "groups", "delete", "--group", "billing");
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.err().startsWith("error: GROUP_ID_NOT_FOUND: "), again.toString());
    }

    @Test
    @Order(3)
    void resetTargetsStayWithinTheLogAndOffsetsOfATopicCanBeDeleted() {
        ok("topic", "create", "--topic", "refunds", "--partitions", "2");
        produce("a\nb\nc\n", "refunds", 0);

        assertEquals(
                "GROUP  TOPIC   PARTITION NEW-OFFSET\n" + "ledger refunds 0         3\n"
                        + "ledger refunds 1         0\n",
                ok("groups", "reset-offsets", "--group", "ledger", "--topic", "refunds", "--to-offset", "100")
                        .out(),
                "kept at the log end");
        assertTrue(
                ok(
                                "groups",
                                "reset-offsets",
                                "--group",
                                "ledger",
                                "--topic",
                                "refunds:0",
                                "--to-datetime",
                                "2100-01-01T00:00:00Z")
                        .out()
                        .endsWith("ledger refunds 0         3\n"),
                "no record that late: the log end");
        assertTrue(ok(
                        "groups",
                        "reset-offsets",
                        "--group",
                        "ledger",
                        "--topic",
                        "refunds:0",
                        "--to-datetime",
                        "1970-01-01T00:00:00Z",
                        "--execute")
                .out()
                .endsWith("ledger refunds 0         0\n"));
        assertTrue(
                ok("groups", "reset-offsets", "--group", "ledger", "--topic", "refunds:0", "--to-latest", "--execute")
                        .out()
                        .endsWith("ledger refunds 0         3\n"));
        assertTrue(ok("groups", "describe", "--group", "ledger").out().contains("\nledger refunds 0 "));

        Result noPartition =
                ferry("", "groups", "reset-offsets", "--group", "ledger", "--topic", "refunds:7", "--to-latest");
        assertEquals(2, noPartition.exitCode(), noPartition.toString());
        assertEquals(
                "error: --topic refunds: partition '7' does not exist: topic 'refunds' has 2 partition(s), 0..1\n",
                noPartition.err());
        Result twoTargets = ferry(
                "",
                "groups",
                "reset-offsets",
                "--group",
                "ledger",
                "--topic",
                "refunds",
                "--to-latest",
                "--to-earliest");
        assertEquals(2, twoTargets.exitCode(), twoTargets.toString());

        assertEquals(
                "Deleted the offsets of topic refunds from group ledger.\n",
                ok("groups", "delete-offsets", "--group", "ledger", "--topic", "refunds")
                        .out());
        Result gone = ferry("", "groups", "describe", "--group", "ledger");
        assertFalse(gone.out().contains("refunds"), gone.toString());
    }

    @Test
    @Order(4)
    void aGroupWithAMemberIsDescribedWithItAndNeitherResetNorDeleted() throws Exception {
        ok("topic", "create", "--topic", "events", "--partitions", "1");
        produce("x\ny\n", "events", 0);
        ConsumerGroupHeartbeatResponse joined = join("audit", "member-1", "events");
        assertEquals(1, joined.getAssignment().getTopicsCount(), joined.toString());

        Result members = ok("groups", "describe", "--group", "audit", "--members");
        assertTrue(members.out().startsWith("GROUP CONSUMER-ID GROUP-INSTANCE-ID HOST"), members.out());
        assertTrue(
                members.out().matches("(?s).*\naudit member-1 +- +\\S+ +test-client +1 +events\\(0\\)\n"),
                members.out());
        Result described = ok("groups", "describe", "--group", "audit");
        assertTrue(
                described.out().matches("(?s).*\naudit events 0 +- +2 +- +member-1 +\\S+ +test-client\n"),
                described.out());

        Result reset = ferry(
                "", "groups", "reset-offsets", "--group", "audit", "--topic", "events", "--to-latest", "--execute");
        assertEquals(1, reset.exitCode(), reset.toString());
        assertEquals(
                "error: NON_EMPTY_GROUP: group 'audit' has 1 active member(s); offsets can only be reset while the "
                        + "group is empty (stop its consumers first)\n",
                reset.err());
        Result delete = ferry("", "groups", "delete", "--group", "audit");
        assertEquals(1, delete.exitCode(), delete.toString());
        assertTrue(delete.err().startsWith("error: NON_EMPTY_GROUP: "), delete.toString());
    }

    @Test
    @Order(5)
    void groupsAreListedWithTheirStatesAndDescribedOneAfterTheOther() {
        ok("groups", "reset-offsets", "--group", "idle", "--topic", "events", "--to-earliest", "--execute");

        Result all = ok("groups", "list", "--state");
        assertTrue(all.out().startsWith("GROUP "), all.out());
        assertTrue(all.out().matches("(?s).*\nidle +EMPTY\n.*"), all.out());
        assertTrue(all.out().matches("(?s).*\naudit +(ASSIGNING|RECONCILING|STABLE)\n.*"), all.out());
        Result empty = ok("groups", "list", "--state", "Empty");
        assertTrue(empty.out().contains("\nidle "), empty.out());
        assertFalse(empty.out().contains("\naudit "), empty.out());
        Result active = ok("groups", "list", "--state", "assigning,reconciling,STABLE");
        assertTrue(active.out().contains("\naudit "), active.out());
        assertFalse(active.out().contains("\nidle "), active.out());
        Result unknown = ferry("", "groups", "list", "--state", "Dead");
        assertEquals(2, unknown.exitCode(), unknown.toString());
        assertEquals(
                "error: --state: unknown group state 'Dead'; the states are EMPTY, ASSIGNING, RECONCILING, STABLE "
                        + "(any case)\n",
                unknown.err());

        String idle = ok("groups", "describe", "--group", "idle", "--state").out();
        assertTrue(
                idle.matches("GROUP +COORDINATOR \\(ID\\) +ASSIGNMENT-STRATEGY STATE #MEMBERS\n" + "idle +"
                        + Pattern.quote(node.bootstrap()) + " \\(\\d+\\) +uniform +EMPTY 0\n"),
                idle);
        Result states = ok("groups", "describe", "--all-groups", "--state");
        assertTrue(
                states.out().matches("(?s)(.*\n\n)?GROUP +COORDINATOR .*\naudit +\\S+ \\(\\d+\\) +\\S+ +\\S+ +1\n.*"),
                states.out());
        assertTrue(states.out().contains("\n\n" + idle) || states.out().startsWith(idle), states.out());
        Result members = ok("groups", "describe", "--all-groups", "--members");
        assertTrue(members.out().contains("Consumer group 'idle' has no active members."), members.out());
        assertTrue(members.out().matches("(?s).*\naudit member-1 .*"), members.out());
        Result neither = ferry("", "groups", "describe", "--state");
        assertEquals(2, neither.exitCode(), neither.toString());
    }

    @Test
    @Order(6)
    void offsetsAreResetForAllTopicsExportedAndReadBackFromAFile(@TempDir Path dir) throws Exception {
        ok("topic", "create", "--topic", "payments", "--partitions", "2");
        produce("a\nb\nc\nd\n", "payments", 0);
        produce("e\nf\n", "payments", 1);
        ok("groups", "reset-offsets", "--group", "ops", "--topic", "payments", "--to-offset", "1", "--execute");

        Result latest = ok("groups", "reset-offsets", "--group", "ops", "--all-topics", "--to-latest", "--export");
        assertEquals("payments,0,4\npayments,1,2\n", latest.out());
        assertTrue(latest.err().contains("nothing was changed"), latest.toString());

        Path plan = Files.writeString(dir.resolve("plan.csv"), "payments,0,2\npayments,1,99\n");
        Result fromFile = ok("groups", "reset-offsets", "--group", "ops", "--from-file", plan.toString(), "--execute");
        assertEquals(
                "GROUP TOPIC    PARTITION NEW-OFFSET\nops   payments 0         2\nops   payments 1         2\n",
                fromFile.out(),
                "99 kept at the log end");
        String described = ok("groups", "describe", "--group", "ops").out();
        assertTrue(described.matches("(?s).*\nops +payments 0 +2 +4 +2 .*\nops +payments 1 +2 +2 +0 .*"), described);

        Path exported = Files.writeString(
                dir.resolve("earliest.csv"),
                ok("groups", "reset-offsets", "--group", "ops", "--all-topics", "--to-earliest", "--export")
                        .out());
        assertEquals(
                Files.readString(exported),
                ok("groups", "reset-offsets", "--group", "ops", "--from-file", exported.toString(), "--export")
                        .out(),
                "an export read back gives the same offsets");

        Path malformed = Files.writeString(dir.resolve("bad.csv"), "payments,0,0\npayments,x,0\n");
        Result bad = ferry(
                "", "groups", "reset-offsets", "--group", "ops", "--from-file", malformed.toString(), "--execute");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertEquals(
                "error: --from-file " + malformed + " line 2: partition 'x' is not a number from 0 to "
                        + "2147483647; nothing was reset\n",
                bad.err());
        Path noPartition = Files.writeString(dir.resolve("p5.csv"), "payments,0,0\npayments,5,0\n");
        Result missing = ferry(
                "", "groups", "reset-offsets", "--group", "ops", "--from-file", noPartition.toString(), "--execute");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertEquals(
                "error: --from-file: partition '5' does not exist: topic 'payments' has 2 partition(s), 0..1\n",
                missing.err());
        assertEquals(described, ok("groups", "describe", "--group", "ops").out(), "nothing was committed");

        Result noScope = ferry("", "groups", "reset-offsets", "--group", "ops", "--to-latest");
        assertEquals(2, noScope.exitCode(), noScope.toString());
        assertEquals(
                "error: give exactly one of --topic, --all-topics or --from-file (which names its partitions "
                        + "itself)\n",
                noScope.err());
        Result twoScopes = ferry(
                "", "groups", "reset-offsets", "--group", "ops", "--topic", "payments", "--all-topics", "--to-latest");
        assertEquals(2, twoScopes.exitCode(), twoScopes.toString());
        assertTrue(twoScopes.err().endsWith("itself), not 2\n"), twoScopes.toString());
        Result fileAndTarget =
                ferry("", "groups", "reset-offsets", "--group", "ops", "--from-file", plan.toString(), "--to-latest");
        assertEquals(2, fileAndTarget.exitCode(), fileAndTarget.toString());
        Result nothingCommitted =
                ferry("", "groups", "reset-offsets", "--group", "nobody", "--all-topics", "--to-latest");
        assertEquals(2, nothingCommitted.exitCode(), nothingCommitted.toString());
        assertEquals(
                "error: --all-topics: group 'nobody' has no committed offsets to reset; name the topics with "
                        + "--topic\n",
                nothingCommitted.err());
    }

    /** Joins a member with one full heartbeat, asked again while the coordinator is not ready. */
    private ConsumerGroupHeartbeatResponse join(String group, String memberId, String topic) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilder(node.bootstrap(), InsecureChannelCredentials.create())
                .build();
        try {
            ConsumerGroupHeartbeatRequest request = ConsumerGroupHeartbeatRequest.newBuilder()
                    .setGroupId(group)
                    .setMemberId(memberId)
                    .setMemberEpoch(0)
                    .setRebalanceTimeoutMs(30_000)
                    .setClientId("test-client")
                    .setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                            .addNames(topic))
                    .setOwnedTopicPartitions(ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.getDefaultInstance())
                    .build();
            AtomicReference<ConsumerGroupHeartbeatResponse> answer = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                answer.set(GroupServiceGrpc.newBlockingStub(channel).consumerGroupHeartbeat(request));
                return answer.get().getError().getCode() == ErrorCode.NONE;
            });
            return answer.get();
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
