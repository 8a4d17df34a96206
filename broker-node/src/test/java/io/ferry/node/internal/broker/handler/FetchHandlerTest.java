package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which address a fetch's leader hint carries. */
class FetchHandlerTest {

    @Test
    void aLeaderHintAfterALongPollNamesTheLeadersAddressOnTheCallersListener(@TempDir Path dir) throws Exception {
        try (HandlerFixtures.LeaderOfT0 leader = new HandlerFixtures.LeaderOfT0(dir)) {
            BrokerMetadata view = HandlerFixtures.ledByBroker2(leader.tp);
            FetchHandler handler = new FetchHandler(
                    leader.replicas,
                    () -> view,
                    new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas),
                    30_000,
                    Integer.MAX_VALUE,
                    BrokerAuthorizer.allowingEverything());
            FetchRequest request = FetchRequest.newBuilder()
                    .setMaxWaitMs(20_000)
                    .setMinBytes(1)
                    .addTopics(FetchTopic.newBuilder()
                            .setTopic("t")
                            .addPartitions(FetchPartition.newBuilder()
                                    .setPartition(0)
                                    .setFetchOffset(0)
                                    .setCurrentLeaderEpoch(1)))
                    .build();
            CompletableFuture<FetchResponse> answer = new CompletableFuture<>();

            handler.handle(request, true, HandlerFixtures.plentyOfMemory(), answer::complete);
            assertFalse(answer.isDone(), "the empty log holds the fetch for new records");
            leader.moveLeadershipToBroker2();

            FetchPartitionResult result =
                    answer.get(10, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NOT_LEADER, result.getError().getCode());
            assertEquals(2, result.getLeader().getLeaderId());
            assertEquals(HandlerFixtures.external(2), result.getLeader().getEndpoint());
        }
    }
}
