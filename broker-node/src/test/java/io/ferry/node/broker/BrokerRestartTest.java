package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.batch;
import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.fetch;
import static io.ferry.node.broker.BrokerTestSupport.listOffset;
import static io.ferry.node.broker.BrokerTestSupport.produce;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker,controller node restarted on the same directories serves everything it acknowledged. */
class BrokerRestartTest {

    @TempDir
    Path dir;

    @Test
    void everythingAcknowledgedReadsBackAfterARestartOnTheSameDirectories() throws Exception {
        int raftPort = LoopbackPorts.freePort();
        Path logs = dir.resolve("logs");
        List<String> expected = new ArrayList<>();
        try (FerryNode node = BrokerTestSupport.start(raftPort, logs)) {
            ManagedChannel channel = BrokerTestSupport.channel(node);
            try {
                createTopic(channel, "durable", 2, Map.of());
                createTopic(channel, "small-batches", 1, Map.of("max.message.bytes", "200"));
                for (int i = 0; i < 5; i++) {
                    PartitionProduceResult r =
                            produce(channel, Acks.ACKS_ALL, "durable", i % 2, batch("r" + i + "-", 3));
                    assertEquals(ErrorCode.NONE, r.getError().getCode());
                    if (i % 2 == 0) {
                        for (int k = 0; k < 3; k++) {
                            expected.add((r.getBaseOffset() + k) + ":r" + i + "-" + k);
                        }
                    }
                }
                // Leadership moves away (here: nowhere, the partition goes offline) when the broker is
                // shut down in a controlled way; clients are told NOT_LEADER with what the broker knows.
                ControllerServiceGrpc.ControllerServiceBlockingStub controller =
                        ControllerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                String incarnation = controller
                        .describeCluster(DescribeClusterRequest.getDefaultInstance())
                        .getBrokers(0)
                        .getIncarnationId();
                assertEquals(
                        0,
                        controller
                                .controlledShutdown(ControlledShutdownRequest.newBuilder()
                                        .setBrokerId(1)
                                        .setIncarnationId(incarnation)
                                        .build())
                                .getRemainingLeaderships());
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> produce(channel, Acks.ACKS_ALL, "durable", 0, batch("late", 1))
                                        .getError()
                                        .getCode()
                                == ErrorCode.NOT_LEADER);
                PartitionProduceResult notLeader = produce(channel, Acks.ACKS_ALL, "durable", 0, batch("late", 1));
                assertEquals(-1, notLeader.getLeader().getLeaderId(), notLeader.toString());
                assertTrue(
                        notLeader.getError().getMessage().contains("offline"),
                        notLeader.getError().getMessage());
                assertEquals(
                        ErrorCode.NOT_LEADER,
                        fetch(channel, "durable", 0, 0).getError().getCode());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        // The controller's metadata lives inside log.dirs by default; the broker left it alone.
        assertTrue(Files.isDirectory(logs.resolve("__cluster_metadata")));

        try (FerryNode node = BrokerTestSupport.start(raftPort, logs)) {
            ManagedChannel channel = BrokerTestSupport.channel(node);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                listOffset(channel, "durable", 0, -1).getError().getCode() == ErrorCode.NONE
                                        && listOffset(channel, "durable", 1, -1)
                                                        .getError()
                                                        .getCode()
                                                == ErrorCode.NONE);
                assertEquals(expected, readAll(channel, "durable", 0, 0));
                assertEquals(6, readAll(channel, "durable", 1, 0).size());
                assertEquals(9, listOffset(channel, "durable", 0, -1).getOffset(), "the high watermark survived");
                PartitionProduceResult more = produce(channel, Acks.ACKS_ALL, "durable", 0, batch("after", 1));
                assertEquals(9, more.getBaseOffset());
                assertTrue(
                        listOffset(channel, "durable", 0, -1).getLeaderEpoch() > 0,
                        "leadership came back with a new epoch");
                // Logs are opened before the first metadata view; the topic's overrides reach them with it.
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> listOffset(channel, "small-batches", 0, -1)
                                        .getError()
                                        .getCode()
                                == ErrorCode.NONE);
                assertEquals(
                        ErrorCode.BATCH_TOO_LARGE,
                        produce(channel, Acks.ACKS_ALL, "small-batches", 0, batch("big", 40))
                                .getError()
                                .getCode());
                assertEquals(
                        ErrorCode.NONE,
                        produce(channel, Acks.ACKS_ALL, "small-batches", 0, batch("s", 1))
                                .getError()
                                .getCode());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
