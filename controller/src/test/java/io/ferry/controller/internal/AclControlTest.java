package io.ferry.controller.internal;

import static io.ferry.controller.internal.AclRecordsTest.readTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclControlTest {
    private final MetadataState state = new MetadataState(100);
    private final AclControl acls = new AclControl(state);

    private <T> T commit(ControllerResult<T> result) {
        return Committed.commit(state, result);
    }

    private static AclBindingFilter.Builder any() {
        return AclBindingFilter.newBuilder()
                .setResourceType(ResourceType.RESOURCE_TYPE_ANY)
                .setPatternType(PatternType.PATTERN_TYPE_ANY)
                .setOperation(AclOperation.ACL_OPERATION_ANY)
                .setPermissionType(AclPermissionType.ACL_PERMISSION_TYPE_ANY);
    }

    private List<AclBinding> describe(AclBindingFilter filter) {
        return acls.describeAcls(
                        DescribeAclsRequest.newBuilder().setFilter(filter).build())
                .getAclsList();
    }

    @Test
    void eachCreationIsAnsweredOnItsOwnAndADuplicateIsStoredOnce() {
        CreateAclsResponse r = commit(acls.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(readTopic("User:alice", "t"))
                .addCreations(readTopic("alice", "t"))
                .addCreations(readTopic("User:alice", "t"))
                .build()));
        assertEquals(ErrorCode.NONE, r.getResults(0).getCode());
        assertEquals(ErrorCode.INVALID_REQUEST, r.getResults(1).getCode());
        assertTrue(
                r.getResults(1).getMessage().startsWith("creations[1]: principal"),
                r.getResults(1).getMessage());
        assertEquals(ErrorCode.NONE, r.getResults(2).getCode());
        ControllerResult<CreateAclsResponse> again = acls.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(readTopic("User:alice", "t"))
                .build());
        assertTrue(again.records().isEmpty());
        assertEquals(List.of(readTopic("User:alice", "t")), describe(any().build()));
    }

    @Test
    void deleteRemovesWhatTheFiltersSelectOnceAndReportsItUnderEachFilter() {
        AclBinding prefixed = readTopic("User:bob", "or").toBuilder()
                .setPatternType(PatternType.PATTERN_TYPE_PREFIXED)
                .build();
        commit(acls.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(readTopic("User:alice", "orders"))
                .addCreations(prefixed)
                .addCreations(readTopic("User:carol", "other"))
                .build()));
        DeleteAclsResponse r = commit(acls.deleteAcls(DeleteAclsRequest.newBuilder()
                .addFilters(any().setResourceName("orders").setPatternType(PatternType.PATTERN_TYPE_MATCH))
                .addFilters(any().setPrincipal("User:bob"))
                .addFilters(AclBindingFilter.getDefaultInstance())
                .build()));
        assertEquals(
                List.of(readTopic("User:alice", "orders"), prefixed),
                r.getFilterResults(0).getDeletedList().stream()
                        .sorted(AclControl.ORDER)
                        .toList());
        assertEquals(List.of(prefixed), r.getFilterResults(1).getDeletedList());
        assertEquals(ErrorCode.INVALID_REQUEST, r.getFilterResults(2).getError().getCode());
        assertEquals(List.of(readTopic("User:carol", "other")), describe(any().build()));
    }

    @Test
    void describeSelectsWithTheFilterAndRefusesAnUnsetField() {
        commit(acls.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(readTopic("User:alice", "t"))
                .addCreations(readTopic("User:bob", "u"))
                .build()));
        assertEquals(
                List.of(readTopic("User:bob", "u")),
                describe(any().setResourceName("u").build()));
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                acls.describeAcls(DescribeAclsRequest.getDefaultInstance())
                        .getError()
                        .getCode());
    }

    @Test
    void hostileValuesAreRefusedNamingTheFieldAndNothingIsStored() {
        CreateAclsRequest.Builder tooMany = CreateAclsRequest.newBuilder();
        for (int i = 0; i <= AclControl.MAX_PER_REQUEST; i++) {
            tooMany.addCreations(readTopic("User:u" + i, "t"));
        }
        ControllerResult<CreateAclsResponse> refused = acls.createAcls(tooMany.build());
        assertTrue(refused.records().isEmpty());
        assertEquals(ErrorCode.INVALID_REQUEST, refused.response().getError().getCode());

        DeleteAclsRequest.Builder tooManyFilters = DeleteAclsRequest.newBuilder();
        for (int i = 0; i <= AclControl.MAX_PER_REQUEST; i++) {
            tooManyFilters.addFilters(any());
        }
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                acls.deleteAcls(tooManyFilters.build()).response().getError().getCode());

        CreateAclsResponse r = commit(acls.createAcls(CreateAclsRequest.newBuilder()
                .addCreations(readTopic("User:alice", "t").toBuilder().setResourceTypeValue(99))
                .addCreations(readTopic("User:alice", "t").toBuilder().setOperationValue(-1))
                .addCreations(readTopic("User:alice", "x".repeat(1025)))
                .build()));
        assertEquals(3, r.getResultsCount());
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    ErrorCode.INVALID_REQUEST,
                    r.getResults(i).getCode(),
                    r.getResults(i).getMessage());
            assertTrue(
                    r.getResults(i).getMessage().startsWith("creations[" + i + "]: "),
                    r.getResults(i).getMessage());
        }
        assertEquals(List.of(), describe(any().build()));
    }
}
