package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ACLs through a real quorum: committed, in the Raft snapshots, and back after every controller restarts. */
class AclQuorumTest {

    private static final AclBindingFilter EVERY_ACL = AclBindingFilter.newBuilder()
            .setResourceType(ResourceType.RESOURCE_TYPE_ANY)
            .setPatternType(PatternType.PATTERN_TYPE_ANY)
            .setOperation(AclOperation.ACL_OPERATION_ANY)
            .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ANY)
            .build();

    private static AclBinding readTopic(String topic) {
        return AclBinding.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName(topic)
                .setPatternType(PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal("User:alice")
                .setHost("*")
                .setOperation(AclOperation.ACL_OPERATION_READ)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    private static List<AclBinding> describe(ControllerCluster cluster, int node) {
        DescribeAclsResponse r = ControllerCluster.answered(
                () -> cluster.stub(node)
                        .describeAcls(DescribeAclsRequest.newBuilder()
                                .setFilter(EVERY_ACL)
                                .build()),
                x -> x.getError().getCode());
        assertEquals(ErrorCode.NONE, r.getError().getCode(), r.toString());
        return r.getAclsList();
    }

    @Test
    void aclsSurviveSnapshotsAndARestartOfEveryController() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(3, c -> c.withSnapshotThreshold(8))) {
            int active = cluster.awaitActive();
            // Given: ACLs created one command each, through a follower (forwarded), enough for snapshots.
            List<AclBinding> created = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                AclBinding acl = readTopic(String.format("topic-%02d", i));
                CreateAclsResponse r = ControllerCluster.answered(
                        () -> cluster.stub(cluster.follower())
                                .createAcls(CreateAclsRequest.newBuilder()
                                        .addCreations(acl)
                                        .build()),
                        x -> x.getError().getCode());
                assertEquals(
                        List.of(ErrorCode.NONE),
                        r.getResultsList().stream().map(e -> e.getCode()).toList());
                created.add(acl);
            }
            await().atMost(ControllerCluster.AWAIT).until(() -> cluster.hasSnapshot(active));

            // When: every controller stops and starts again from its snapshot and log.
            cluster.restartEveryNode();

            // Then: every ACL is back, and a filter deletes through the new active controller.
            int recovered = cluster.awaitActive();
            assertEquals(created, describe(cluster, recovered));
            DeleteAclsResponse deleted = ControllerCluster.answered(
                    () -> cluster.stub(recovered)
                            .deleteAcls(DeleteAclsRequest.newBuilder()
                                    .addFilters(EVERY_ACL.toBuilder().setResourceName("topic-00"))
                                    .build()),
                    x -> x.getError().getCode());
            assertEquals(List.of(created.get(0)), deleted.getFilterResults(0).getDeletedList());
            assertEquals(created.subList(1, created.size()), describe(cluster, recovered));
        }
    }
}
