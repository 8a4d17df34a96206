package io.ferry.node.broker;

import static io.ferry.node.broker.BrokerTestSupport.createTopic;
import static io.ferry.node.broker.BrokerTestSupport.stub;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.AdminConfig;
import io.ferry.client.BrokerInfo;
import io.ferry.client.FerryAdmin;
import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
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

    /**
     * Others are sent to the listener's host as configured, not to the address it resolved to: with TLS they
     * check that name against the broker's certificate (in Docker Compose, {@code broker-1} and not the
     * container's IP).
     */
    @Test
    void theInternalAddressIsTheListenersHostNameAsConfigured(@TempDir Path otherDir) throws Exception {
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), otherDir.resolve("logs")));
        settings.replaceAll(
                setting -> setting.equals("grpc.listener=127.0.0.1:0") ? "grpc.listener=localhost:0" : setting);
        FerryNode named = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        try {
            await().atMost(Duration.ofSeconds(30)).until(named::isHealthy);
            int port = named.grpcAddress().getPort();
            assertEquals(
                    Endpoint.newBuilder()
                            .setName("grpc")
                            .setHost("localhost")
                            .setPort(port)
                            .build(),
                    firstEndpointSeenOn(port));
        } finally {
            named.close();
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
        BrokerTestSupport.assertProducesAndConsumes(Map.of("bootstrap.servers", outside), "outside");
    }
}
