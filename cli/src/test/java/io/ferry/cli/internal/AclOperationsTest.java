package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclOperationsTest {

    @Test
    void operationsAreReadByKafkasNamesInAnyCase() {
        assertEquals(AclOperation.ACL_OPERATION_CLUSTER_ACTION, AclOperations.parse("ClusterAction"));
        assertEquals(AclOperation.ACL_OPERATION_CLUSTER_ACTION, AclOperations.parse("cluster_action"));
        assertEquals(AclOperation.ACL_OPERATION_ALL, AclOperations.parse("All"));
        UsageException e = assertThrows(UsageException.class, () -> AclOperations.parse("Any"));
        assertTrue(e.getMessage().contains("IdempotentWrite"), e.getMessage());
    }

    @Test
    void anOperationTheResourceTypeLacksIsRefusedAsKafkaAclsRefusesIt() {
        UsageException e = assertThrows(
                UsageException.class,
                () -> AclOperations.checkSupported(
                        ResourceType.RESOURCE_TYPE_GROUP, List.of(AclOperation.ACL_OPERATION_WRITE)));
        assertEquals(
                "ResourceType GROUP only supports operations All, Read, Delete, Describe, DescribeConfigs, AlterConfigs",
                e.getMessage());
        assertDoesNotThrow(() -> AclOperations.checkSupported(
                ResourceType.RESOURCE_TYPE_CLUSTER,
                List.of(AclOperation.ACL_OPERATION_IDEMPOTENT_WRITE, AclOperation.ACL_OPERATION_ALL)));
    }
}
