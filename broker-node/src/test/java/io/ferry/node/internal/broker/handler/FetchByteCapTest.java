package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.ReplicaFetchPartition;
import io.ferry.proto.v1.ReplicaFetchRequest;
import io.ferry.proto.v1.ReplicaFetchResponse;
import io.ferry.proto.v1.ReplicaFetchTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch naming many partitions, each allowed 1 MiB, with {@code max_bytes} 2^31-1, returns at most
 * the broker's own bound over all of them ({@code fetch.max.bytes}, {@code replica.fetch.response.max.bytes}),
 * and still the first batch when that alone is larger.
 */
class FetchByteCapTest {

    private static final int PARTITIONS = 20;

    private HandlerFixtures.LeaderOfT0 leader;
    private BrokerMetrics metrics;
    private int batchSize;

    @BeforeEach
    void fillEveryPartition(@TempDir Path dir) throws Exception {
        leader = HandlerFixtures.LeaderOfT0.alone(dir, PARTITIONS);
        metrics = new BrokerMetrics(new SimpleMeterRegistry(), leader.replicas);
        ByteBuffer batch = BrokerTestSupport.batch("record-", 40);
        batchSize = batch.remaining();
        for (int p = 0; p < PARTITIONS; p++) {
            leader.append(p, batch);
        }
    }

    private static final Supplier<BrokerMetadata> VIEW = () -> HandlerFixtures.ledByBroker1("t", PARTITIONS);
    private static final BrokerAuthorizer NO_AUTHORIZATION = BrokerAuthorizer.allowingEverything();

    @AfterEach
    void close() {
        leader.close();
    }

    private long fetchedBytes(int brokerMaxBytes) throws Exception {
        FetchHandler handler =
                new FetchHandler(leader.replicas, VIEW, metrics, 30_000, brokerMaxBytes, NO_AUTHORIZATION);
        FetchTopic.Builder topic = FetchTopic.newBuilder().setTopic("t");
        for (int p = 0; p < PARTITIONS; p++) {
            topic.addPartitions(FetchPartition.newBuilder()
                    .setPartition(p)
                    .setPartitionMaxBytes(1 << 20)
                    .setCurrentLeaderEpoch(-1));
        }
        CompletableFuture<FetchResponse> answer = new CompletableFuture<>();
        handler.handle(
                FetchRequest.newBuilder()
                        .setMaxBytes(Integer.MAX_VALUE)
                        .addTopics(topic)
                        .build(),
                false,
                HandlerFixtures.plentyOfMemory(),
                answer::complete);
        return answer.get(10, TimeUnit.SECONDS).getTopicsList().stream()
                .flatMap(t -> t.getPartitionsList().stream())
                .mapToLong(p -> p.getRecords().size())
                .sum();
    }

    private long replicaFetchedBytes(int brokerMaxBytes) throws Exception {
        ReplicaFetchHandler handler =
                new ReplicaFetchHandler(leader.replicas, VIEW, metrics, 30_000, brokerMaxBytes, NO_AUTHORIZATION);
        ReplicaFetchTopic.Builder topic = ReplicaFetchTopic.newBuilder().setTopic("t");
        for (int p = 0; p < PARTITIONS; p++) {
            topic.addPartitions(ReplicaFetchPartition.newBuilder()
                    .setPartition(p)
                    .setPartitionMaxBytes(1 << 20)
                    .setCurrentLeaderEpoch(1)
                    .setLastFetchedEpoch(-1));
        }
        CompletableFuture<ReplicaFetchResponse> answer = new CompletableFuture<>();
        handler.handle(
                ReplicaFetchRequest.newBuilder()
                        .setReplicaId(2)
                        .setMaxBytes(Integer.MAX_VALUE)
                        .addTopics(topic)
                        .build(),
                HandlerFixtures.plentyOfMemory(),
                answer::complete);
        return answer.get(10, TimeUnit.SECONDS).getTopicsList().stream()
                .flatMap(t -> t.getPartitionsList().stream())
                .mapToLong(p -> p.getRecords().size())
                .sum();
    }

    @Test
    void aConsumerFetchReturnsWhatFitsInFetchMaxBytes() throws Exception {
        assertEquals(4L * batchSize, fetchedBytes(4 * batchSize + batchSize / 2));
        assertEquals(batchSize, fetchedBytes(1_024), "the first batch comes even if larger than the bound");
    }

    @Test
    void aFollowerFetchReturnsWhatFitsInReplicaFetchResponseMaxBytes() throws Exception {
        assertEquals(4L * batchSize, replicaFetchedBytes(4 * batchSize + batchSize / 2));
        assertEquals(batchSize, replicaFetchedBytes(1_024), "the first batch comes even if larger than the bound");
    }
}
