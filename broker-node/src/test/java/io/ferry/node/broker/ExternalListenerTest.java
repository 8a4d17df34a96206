package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.AdminConfig;
import io.ferry.client.BrokerInfo;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.MetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with a second, external gRPC listener: clients that connect there are given the advertised
 * external addresses (here {@code localhost:<port>}, as Docker publishes a container port on the host),
 * clients on {@code grpc.listener} the internal ones, and a client bootstrapped on the external port
 * produces and consumes through it.
 */
class ExternalListenerTest {

    @TempDir
    Path dir;

    private FerryNode node;
    private int externalPort;

    @BeforeEach
    void startNode() throws Exception {
        externalPort = portBelowTheEphemeralRange();
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(BrokerTestSupport.freePort(), dir.resolve("logs")));
        settings.add("grpc.external.listener=127.0.0.1:" + externalPort);
        settings.add("grpc.external.advertised=localhost:" + externalPort);
        node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
    }

    /**
     * A free port that no {@code :0} bind of this node (HTTP, gRPC, the controller's) can be handed
     * meanwhile: Linux assigns those from 32768 up, and a port just released is often the next one
     * it hands out.
     */
    private static int portBelowTheEphemeralRange() throws IOException {
        SplittableRandom random = new SplittableRandom();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket probe = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 20000 and 32000 on loopback");
    }

    @AfterEach
    void stopNode() throws Exception {
        node.close();
    }

    private static Endpoint firstEndpointSeenOn(int port) throws InterruptedException {
        ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            // Healthy means registered; the registration reaches the broker's own view a moment later.
            return await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> stub(channel).metadata(MetadataRequest.getDefaultInstance()),
                            response -> response.getBrokersCount() > 0)
                    .getBrokers(0)
                    .getEndpoints(0);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void eachListenerHandsOutItsOwnAddresses() throws Exception {
        int internalPort = node.grpcAddress().getPort();
        assertEquals(
                Endpoint.newBuilder()
                        .setName("grpc")
                        .setHost("127.0.0.1")
                        .setPort(internalPort)
                        .build(),
                firstEndpointSeenOn(internalPort));
        assertEquals(
                Endpoint.newBuilder()
                        .setName("external")
                        .setHost("localhost")
                        .setPort(externalPort)
                        .build(),
                firstEndpointSeenOn(externalPort));

        String outside = "127.0.0.1:" + externalPort;
        try (FerryAdmin admin = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", outside)))) {
            BrokerInfo broker = admin.describeCluster().brokers().get(0);
            assertEquals("localhost:" + externalPort, broker.host() + ":" + broker.port());
        }
    }

    @Test
    void aClientBootstrappedOnTheExternalListenerProducesAndConsumes() throws Exception {
        ManagedChannel inside = BrokerTestSupport.channel(node);
        try {
            createTopic(inside, "outside", 1, Map.of());
        } finally {
            inside.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String outside = "127.0.0.1:" + externalPort;
        try (FerryProducer producer = new FerryProducer(
                ProducerConfig.of(Map.of("bootstrap.servers", outside, "acks", "all", "linger.ms", "1")))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord("outside", 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        TopicPartition tp = new TopicPartition("outside", 0);
        List<String> read = new ArrayList<>();
        try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of("bootstrap.servers", outside)))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"), read);
    }
}
