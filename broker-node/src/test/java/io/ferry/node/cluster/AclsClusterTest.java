package io.ferry.node.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateAcls, DescribeAcls and DeleteAcls through the brokers, forwarded to the active controller, and the
 * ACL changes reaching every broker's metadata view.
 */
class AclsClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private InProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
        }
    }

    private static AclBinding allow(String principal, AclOperation operation, String topic, PatternType pattern) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(topic)
                .setPatternType(pattern)
                .setPrincipal(principal)
                .setHost("*")
                .setOperation(operation)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    private static AclBindingFilter.Builder any() {
        return AclBindingFilter.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_ANY)
                .setPatternType(PatternType.PATTERN_TYPE_ANY)
                .setOperation(AclOperation.ACL_OPERATION_ANY)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ANY);
    }

    @Test
    void aclsAreCreatedListedAndDeletedThroughBrokersAndReachEveryBroker() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        AclBinding aliceReads =
                allow("User:alice", AclOperation.ACL_OPERATION_READ, "orders", PatternType.PATTERN_TYPE_LITERAL);
        AclBinding bobWrites =
                allow("User:bob", AclOperation.ACL_OPERATION_WRITE, "ord", PatternType.PATTERN_TYPE_PREFIXED);
        try (FerryAdmin admin = cluster.admin()) {
            // When: ACLs are created through a broker.
            admin.createAcls(List.of(aliceReads, bobWrites));
            // Then: they are listed, a filter selects, and every broker's view reaches the version that holds them.
            assertEquals(List.of(aliceReads, bobWrites), admin.describeAcls(any().build()));
            assertEquals(
                    List.of(bobWrites),
                    admin.describeAcls(any().setPrincipal("User:bob").build()));
            awaitEveryBrokerAtTheControllersVersion();

            FerryException refused = assertThrows(
                    FerryException.class,
                    () -> admin.createAcls(
                            List.of(aliceReads.toBuilder().setPrincipal("alice").build())));
            assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
            assertTrue(refused.getMessage().contains("principal"), refused.getMessage());

            // When: the ACLs that apply to topic "orders" are deleted.
            List<AclBinding> deleted = admin.deleteAcls(List.of(any().setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                    .setResourceName("orders")
                    .setPatternType(PatternType.PATTERN_TYPE_MATCH)
                    .build()));
            // Then: both went, each reported once (in no particular order), and every broker catches up.
            assertEquals(2, deleted.size(), deleted::toString);
            assertEquals(Set.of(aliceReads, bobWrites), Set.copyOf(deleted));
            assertEquals(List.of(), admin.describeAcls(any().build()));
            awaitEveryBrokerAtTheControllersVersion();
        }
    }

    /**
     * Every broker's view is at least at the version DescribeAcls read the ACLs at: records are applied in
     * version order, so each view then holds exactly those ACLs (BrokerMetadataTest shows the records applied).
     */
    private void awaitEveryBrokerAtTheControllersVersion() throws InterruptedException {
        String first = cluster.bootstrapServers().split(",")[0];
        ManagedChannel channel = channel(first);
        long version;
        try {
            version = BrokerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .describeAcls(
                            DescribeAclsRequest.newBuilder().setFilter(any()).build())
                    .getMetadataVersion();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (String broker : cluster.bootstrapServers().split(",")) {
            ManagedChannel c = channel(broker);
            try {
                await().atMost(WAIT)
                        .until(() -> BrokerServiceGrpc.newBlockingStub(c)
                                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                                        .metadata(MetadataRequest.getDefaultInstance())
                                        .getMetadataVersion()
                                >= version);
            } finally {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static ManagedChannel channel(String address) {
        int colon = address.lastIndexOf(':');
        return NettyChannelBuilder.forAddress(
                        address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
                .usePlaintext()
                .build();
    }
}
