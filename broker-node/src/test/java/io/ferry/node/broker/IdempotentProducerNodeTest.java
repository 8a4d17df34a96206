package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.listOffset;
import static io.ferry.node.broker.BrokerTestSupport.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.RecordMetadata;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idempotent FerryProducer ({@code enable.idempotence=true}) against a real node, reached through a proxy that
 * loses the answer to an append: the producer resends the batch on a new connection and the leader
 * answers it with the original offset without appending it again.
 */
class IdempotentProducerNodeTest {

    @TempDir
    Path dir;

    private AnswerLosingProxy proxy;
    private FerryNode node;
    private ManagedChannel inside;

    @BeforeEach
    void start() throws Exception {
        int externalPort = LoopbackPorts.freePort();
        proxy = new AnswerLosingProxy(new InetSocketAddress("127.0.0.1", externalPort));
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        // Clients bootstrapped on the external listener are sent to the proxy for every request.
        settings.add("grpc.external.listener=127.0.0.1:" + externalPort);
        settings.add("grpc.external.advertised=127.0.0.1:" + proxy.port());
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        inside = BrokerTestSupport.channel(node);
    }

    @AfterEach
    void stop() throws Exception {
        inside.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
        proxy.close();
    }

    private static CompletableFuture<RecordMetadata> send(FerryProducer producer, String value) {
        return producer.send(new ProducerRecord("idem", 0, null, value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBatchWhoseAnswerWasLostIsAppendedOnce() throws Exception {
        createTopic(inside, "idem", 1, Map.of());
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(Map.of(
                "bootstrap.servers",
                "127.0.0.1:" + proxy.port(),
                "enable.idempotence",
                "true",
                "linger.ms",
                "0",
                "retry.backoff.ms",
                "50")))) {
            assertEquals(0, send(producer, "v0").get(30, TimeUnit.SECONDS).offset());

            proxy.loseAnswers(true);
            CompletableFuture<RecordMetadata> lost = send(producer, "v1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> listOffset(inside, "idem", 0, -1).getOffset() == 2);
            proxy.cutConnections();
            proxy.loseAnswers(false);

            assertEquals(1, lost.get(30, TimeUnit.SECONDS).offset(), "the retry is answered with the original offset");
            assertEquals(2, send(producer, "v2").get(30, TimeUnit.SECONDS).offset());
        }
        assertEquals(List.of("0:v0", "1:v1", "2:v2"), readAll(inside, "idem", 0, 0));
    }
}
