package io.ferry.node.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.node.FerryNode;
import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaFilterComponent;
import io.ferry.proto.v1.ClientQuotaMatchType;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Client quotas altered and described through a broker (forwarded to the controller) of a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientQuotasNodeTest {

    @TempDir
    static Path dir;

    private FerryNode node;
    private FerryAdmin admin;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(BrokerTestSupport.freePort(), dir.resolve("logs"));
        admin = new FerryAdmin(AdminConfig.of(Map.of(
                "bootstrap.servers", "127.0.0.1:" + node.grpcAddress().getPort(), "request.timeout.ms", "10000")));
    }

    @AfterAll
    void stopNode() {
        admin.close();
        node.close();
    }

    static ClientQuotaEntity user(String name) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(ClientQuotaEntityComponent.newBuilder()
                        .setEntityType("user")
                        .setEntityName(name))
                .build();
    }

    static ClientQuotaAlteration set(ClientQuotaEntity entity, String key, double value) {
        return ClientQuotaAlteration.newBuilder()
                .setEntity(entity)
                .addOps(ClientQuotaOp.newBuilder().setKey(key).setValue(value))
                .build();
    }

    private List<DescribeClientQuotasEntry> describeUser(String name) {
        return admin.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(ClientQuotaFilterComponent.newBuilder()
                        .setEntityType("user")
                        .setMatchType(ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT)
                        .setMatch(name))
                .build());
    }

    @Test
    void quotasAreAlteredValidatedAndDescribedThroughTheBroker() {
        admin.alterClientQuotas(List.of(set(user("dry"), "producer_byte_rate", 1024)), true);
        assertEquals(List.of(), describeUser("dry"));

        admin.alterClientQuotas(List.of(set(user("alice"), "producer_byte_rate", 1024)), false);
        List<DescribeClientQuotasEntry> described = describeUser("alice");
        assertEquals(1, described.size());
        assertEquals(user("alice"), described.get(0).getEntity());
        assertEquals(Map.of("producer_byte_rate", 1024.0), described.get(0).getValuesMap());

        FerryException refused = assertThrows(
                FerryException.class,
                () -> admin.alterClientQuotas(List.of(set(user("alice"), "producer_byte_rate", -1)), false));
        assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
        assertTrue(
                refused.getMessage().startsWith("entries[0].ops[0]: value of producer_byte_rate"),
                refused.getMessage());
    }
}
