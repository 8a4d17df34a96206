package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaFilterComponent;
import io.ferry.proto.v1.ClientQuotaMatchType;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.ClientQuotaRecord;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientQuotaControlTest {
    private final MetadataState state = new MetadataState(100);
    private final ClientQuotaControl quotas = new ClientQuotaControl(state);

    static ClientQuotaEntityComponent user(String name) {
        return ClientQuotaEntityComponent.newBuilder()
                .setEntityType("user")
                .setEntityName(name)
                .build();
    }

    static ClientQuotaEntityComponent client(String name) {
        return ClientQuotaEntityComponent.newBuilder()
                .setEntityType("client-id")
                .setEntityName(name)
                .build();
    }

    static ClientQuotaEntityComponent defaultOf(String type) {
        return ClientQuotaEntityComponent.newBuilder().setEntityType(type).build();
    }

    static ClientQuotaEntity entity(ClientQuotaEntityComponent... components) {
        return ClientQuotaEntity.newBuilder()
                .addAllComponents(List.of(components))
                .build();
    }

    private static ClientQuotaAlteration set(ClientQuotaEntity entity, String key, double value) {
        return ClientQuotaAlteration.newBuilder()
                .setEntity(entity)
                .addOps(ClientQuotaOp.newBuilder().setKey(key).setValue(value))
                .build();
    }

    private static ClientQuotaAlteration remove(ClientQuotaEntity entity, String key) {
        return ClientQuotaAlteration.newBuilder()
                .setEntity(entity)
                .addOps(ClientQuotaOp.newBuilder().setKey(key).setRemove(true))
                .build();
    }

    private AlterClientQuotasResponse alter(ClientQuotaAlteration... entries) {
        ControllerResult<AlterClientQuotasResponse> result =
                quotas.alterClientQuotas(AlterClientQuotasRequest.newBuilder()
                        .addAllEntries(List.of(entries))
                        .build());
        return Committed.commit(state, result);
    }

    private List<DescribeClientQuotasEntry> describe(boolean strict, ClientQuotaFilterComponent... components) {
        var response = quotas.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addAllComponents(List.of(components))
                .setStrict(strict)
                .build());
        assertEquals(
                ErrorCode.NONE,
                response.getError().getCode(),
                response.getError().getMessage());
        return response.getEntriesList();
    }

    private static ClientQuotaFilterComponent filter(String type, ClientQuotaMatchType match, String name) {
        return ClientQuotaFilterComponent.newBuilder()
                .setEntityType(type)
                .setMatchType(match)
                .setMatch(name)
                .build();
    }

    @Test
    void valuesAreSetReplacedAndRemovedAndAnEntityIsStoredInOneOrder() {
        alter(set(entity(client("c1"), user("alice")), "producer_byte_rate", 1024));
        alter(set(entity(user("alice"), client("c1")), "producer_byte_rate", 2048));
        alter(set(entity(user("alice"), client("c1")), "consumer_byte_rate", 10));
        assertEquals(
                Map.of(
                        entity(user("alice"), client("c1")),
                        Map.of("producer_byte_rate", 2048.0, "consumer_byte_rate", 10.0)),
                state.clientQuotas());
        alter(remove(entity(user("alice"), client("c1")), "producer_byte_rate"));
        alter(remove(entity(user("alice"), client("c1")), "consumer_byte_rate"));
        assertEquals(Map.of(), state.clientQuotas());
    }

    @Test
    void eachBadFieldIsRefusedByNameAndTheEntryStoresNothing() {
        ClientQuotaEntity alice = entity(user("alice"));
        List<ClientQuotaAlteration> bad = List.of(
                set(alice, "controller_mutation_rate", 1),
                set(alice, "producer_byte_rate", -1),
                set(alice, "consumer_byte_rate", Double.NaN),
                set(alice, "request_percentage", Double.POSITIVE_INFINITY),
                set(alice, "producer_byte_rate", 1.5),
                set(entity(user("")), "producer_byte_rate", 1),
                set(entity(defaultOf("ip")), "producer_byte_rate", 1),
                set(entity(), "producer_byte_rate", 1),
                set(entity(user("a"), user("b")), "producer_byte_rate", 1),
                set(entity(user("x".repeat(1025))), "producer_byte_rate", 1),
                set(alice, "producer_byte_rate", 1).toBuilder()
                        .addOps(ClientQuotaOp.newBuilder()
                                .setKey("producer_byte_rate")
                                .setValue(2))
                        .build());
        List<String> fields = List.of(
                "entries[0].ops[0]: key 'controller_mutation_rate'",
                "entries[1].ops[0]: value of producer_byte_rate must be a positive number",
                "entries[2].ops[0]: value of consumer_byte_rate must be a positive number",
                "entries[3].ops[0]: value of request_percentage must be a positive number",
                "entries[4].ops[0]: value of producer_byte_rate must be a whole number",
                "entries[5].entity.components[0].entity_name is empty",
                "entries[6].entity.components[0].entity_type must be 'user' or 'client-id', got 'ip'",
                "entries[7].entity has no component",
                "entries[8].entity.components[1].entity_type 'user' appears twice",
                "entries[9].entity.components[0].entity_name has 1025 characters",
                "entries[10].ops[1]: key producer_byte_rate appears twice");
        ControllerResult<AlterClientQuotasResponse> result = quotas.alterClientQuotas(
                AlterClientQuotasRequest.newBuilder().addAllEntries(bad).build());
        assertTrue(result.records().isEmpty());
        for (int i = 0; i < bad.size(); i++) {
            var error = result.response().getResults(i);
            assertEquals(ErrorCode.INVALID_REQUEST, error.getCode());
            assertTrue(error.getMessage().startsWith(fields.get(i)), error.getMessage());
        }
    }

    @Test
    void aFractionalRequestPercentageAboveOneHundredIsAllowed() {
        alter(set(entity(defaultOf("user")), "request_percentage", 250.5));
        assertEquals(Map.of(entity(defaultOf("user")), Map.of("request_percentage", 250.5)), state.clientQuotas());
    }

    @Test
    void moreThanAThousandEntriesAreRefusedWhole() {
        AlterClientQuotasRequest.Builder request = AlterClientQuotasRequest.newBuilder();
        for (int i = 0; i <= ClientQuotaControl.MAX_PER_REQUEST; i++) {
            request.addEntries(set(entity(user("u" + i)), "producer_byte_rate", 1));
        }
        ControllerResult<AlterClientQuotasResponse> result = quotas.alterClientQuotas(request.build());
        assertTrue(result.records().isEmpty());
        assertEquals(ErrorCode.INVALID_REQUEST, result.response().getError().getCode());
        assertTrue(result.response().getError().getMessage().startsWith("entries has 1001 entries"));
    }

    @Test
    void validateOnlyAnswersAndStoresNothing() {
        ControllerResult<AlterClientQuotasResponse> result =
                quotas.alterClientQuotas(AlterClientQuotasRequest.newBuilder()
                        .addEntries(set(entity(user("alice")), "producer_byte_rate", 1))
                        .addEntries(set(entity(user("alice")), "producer_byte_rate", -1))
                        .setValidateOnly(true)
                        .build());
        assertTrue(result.records().isEmpty());
        assertEquals(ErrorCode.NONE, result.response().getResults(0).getCode());
        assertEquals(ErrorCode.INVALID_REQUEST, result.response().getResults(1).getCode());
    }

    @Test
    void describeMatchesExactDefaultAndAnyStrictlyOrNot() {
        ClientQuotaEntity alice = entity(user("alice"));
        ClientQuotaEntity aliceC1 = entity(user("alice"), client("c1"));
        ClientQuotaEntity defaultUser = entity(defaultOf("user"));
        ClientQuotaEntity c1 = entity(client("c1"));
        alter(
                set(c1, "producer_byte_rate", 1),
                set(aliceC1, "producer_byte_rate", 2),
                set(defaultUser, "producer_byte_rate", 3),
                set(alice, "producer_byte_rate", 4));
        assertEquals(
                List.of(c1, defaultUser, alice, aliceC1),
                describe(false).stream()
                        .map(DescribeClientQuotasEntry::getEntity)
                        .toList());
        assertEquals(
                List.of(alice, aliceC1),
                entities(describe(false, filter("user", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT, "alice"))));
        assertEquals(
                List.of(alice),
                entities(describe(true, filter("user", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT, "alice"))));
        assertEquals(
                List.of(defaultUser),
                entities(describe(false, filter("user", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_DEFAULT, ""))));
        assertEquals(
                List.of(c1, aliceC1),
                entities(describe(false, filter("client-id", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_ANY, ""))));
        assertEquals(
                List.of(c1),
                entities(describe(true, filter("client-id", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_ANY, ""))));
        assertEquals(
                Map.of("producer_byte_rate", 2.0),
                describe(
                                true,
                                filter("user", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT, "alice"),
                                filter("client-id", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT, "c1"))
                        .get(0)
                        .getValuesMap());
    }

    @Test
    void aMalformedFilterIsRefusedByField() {
        var unspecified = quotas.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(filter("user", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_UNSPECIFIED, ""))
                .build());
        assertEquals(ErrorCode.INVALID_REQUEST, unspecified.getError().getCode());
        assertTrue(unspecified.getError().getMessage().startsWith("components[0].match_type"));
        var emptyName = quotas.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(filter("client-id", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_EXACT, ""))
                .build());
        assertTrue(emptyName.getError().getMessage().startsWith("components[0].match is empty"));
        var ip = quotas.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(filter("ip", ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_ANY, ""))
                .build());
        assertTrue(ip.getError().getMessage().startsWith("components[0].entity_type"));
        // An enum number this build does not know (a newer or hostile client) parses as UNRECOGNIZED.
        var unknownNumber = quotas.describeClientQuotas(DescribeClientQuotasRequest.newBuilder()
                .addComponents(ClientQuotaFilterComponent.newBuilder()
                        .setEntityType("user")
                        .setMatchTypeValue(99))
                .build());
        assertEquals(ErrorCode.INVALID_REQUEST, unknownNumber.getError().getCode());
        assertEquals(
                "components[0].match_type must be EXACT, DEFAULT or ANY",
                unknownNumber.getError().getMessage());
    }

    @Test
    void aMalformedRecordIsRefusedByTheStateAndASnapshotRestoresTheQuotas() throws Exception {
        MetadataRecord negative = MetadataRecord.newBuilder()
                .setClientQuota(ClientQuotaRecord.newBuilder()
                        .setEntity(entity(user("alice")))
                        .setKey("producer_byte_rate")
                        .setValue(-5))
                .build();
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                state.apply(
                                ControllerCommand.newBuilder()
                                        .setLeaderTerm(1)
                                        .addRecords(negative)
                                        .build(),
                                1)
                        .getError()
                        .getCode());
        alter(
                set(entity(user("alice")), "producer_byte_rate", 1024),
                set(entity(defaultOf("user"), defaultOf("client-id")), "consumer_byte_rate", 7));
        MetadataState restored = new MetadataState(100);
        restored.load(ControllerStateMachine.readSnapshot(state.snapshot().toByteArray()));
        assertEquals(state.clientQuotas(), restored.clientQuotas());
        assertEquals(state.image(), restored.image());
        assertEquals(2, restored.image().getClientQuotasCount());
    }

    private static List<ClientQuotaEntity> entities(List<DescribeClientQuotasEntry> entries) {
        return entries.stream().map(DescribeClientQuotasEntry::getEntity).toList();
    }
}
