package io.ferry.controller.internal;

import io.ferry.controller.AclProtos;
import io.ferry.proto.v1.AccessControlEntryRecord;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.DeleteAclsFilterResult;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.RemoveAccessControlEntryRecord;
import io.ferry.security.AclBindingValidator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Decides ACL changes from the committed {@link MetadataState}, as Kafka's {@code AclControlManager}: each
 * creation is validated on its own ({@link AclBindingValidator}) and gets a new id; one identical to an
 * existing ACL (or to an earlier creation of the same request) is answered as created and not stored twice.
 * A deletion removes every ACL one of its filters selects, once, and reports it under every filter that
 * selected it. Runs on the active controller's event thread; never mutates the state.
 */
final class AclControl {

    /** Most creations or filters one request may carry: every controller decides and logs them at once. */
    static final int MAX_PER_REQUEST = 1000;

    /** Describe's order: resource, then entry. */
    static final Comparator<AclBinding> ORDER = Comparator.comparing(AclBinding::getResourceTypeValue)
            .thenComparing(AclBinding::getPatternTypeValue)
            .thenComparing(AclBinding::getResourceName)
            .thenComparing(AclBinding::getPrincipal)
            .thenComparing(AclBinding::getHost)
            .thenComparing(AclBinding::getOperationValue)
            .thenComparing(AclBinding::getPermissionTypeValue);

    private final MetadataState state;

    AclControl(MetadataState state) {
        this.state = state;
    }

    ControllerResult<CreateAclsResponse> createAcls(CreateAclsRequest request) {
        if (request.getCreationsCount() > MAX_PER_REQUEST) {
            return ControllerResult.atOnce(CreateAclsResponse.newBuilder()
                    .setError(tooMany("creations", request.getCreationsCount()))
                    .build());
        }
        Set<AclBinding> present = new HashSet<>();
        state.acls().forEach(r -> present.add(r.getBinding()));
        List<MetadataRecord> records = new ArrayList<>();
        CreateAclsResponse.Builder response = CreateAclsResponse.newBuilder().setError(Errors.NONE);
        for (int i = 0; i < request.getCreationsCount(); i++) {
            AclBinding creation = request.getCreations(i);
            Optional<String> problem = problem(creation);
            if (problem.isPresent()) {
                response.addResults(Errors.of(ErrorCode.INVALID_REQUEST, "creations[" + i + "]: " + problem.get()));
                continue;
            }
            if (present.add(creation)) {
                records.add(MetadataRecord.newBuilder()
                        .setAccessControlEntry(AccessControlEntryRecord.newBuilder()
                                .setId(UUID.randomUUID().toString())
                                .setBinding(creation))
                        .build());
            }
            response.addResults(Errors.NONE);
        }
        return new ControllerResult<>(records, response.build());
    }

    /** Why the binding cannot be created, naming the field; empty when it can. */
    static Optional<String> problem(AclBinding binding) {
        try {
            return AclBindingValidator.problem(AclProtos.binding(binding));
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    ControllerResult<DeleteAclsResponse> deleteAcls(DeleteAclsRequest request) {
        if (request.getFiltersCount() > MAX_PER_REQUEST) {
            return ControllerResult.atOnce(DeleteAclsResponse.newBuilder()
                    .setError(tooMany("filters", request.getFiltersCount()))
                    .build());
        }
        List<AccessControlEntryRecord> acls = state.acls();
        Set<String> removed = new HashSet<>();
        List<MetadataRecord> records = new ArrayList<>();
        DeleteAclsResponse.Builder response = DeleteAclsResponse.newBuilder().setError(Errors.NONE);
        for (int i = 0; i < request.getFiltersCount(); i++) {
            io.ferry.security.AclBindingFilter filter;
            try {
                filter = AclProtos.filter(request.getFilters(i));
            } catch (IllegalArgumentException e) {
                response.addFilterResults(DeleteAclsFilterResult.newBuilder()
                        .setError(Errors.of(ErrorCode.INVALID_REQUEST, "filters[" + i + "]: " + e.getMessage())));
                continue;
            }
            DeleteAclsFilterResult.Builder result =
                    DeleteAclsFilterResult.newBuilder().setError(Errors.NONE);
            for (AccessControlEntryRecord acl : acls) {
                if (!filter.matches(AclProtos.binding(acl.getBinding()))) {
                    continue;
                }
                result.addDeleted(acl.getBinding());
                if (removed.add(acl.getId())) {
                    records.add(MetadataRecord.newBuilder()
                            .setRemoveAccessControlEntry(
                                    RemoveAccessControlEntryRecord.newBuilder().setId(acl.getId()))
                            .build());
                }
            }
            response.addFilterResults(result);
        }
        return new ControllerResult<>(records, response.build());
    }

    /** The ACLs the filter selects, in {@link #ORDER}; INVALID_REQUEST for a malformed filter. */
    DescribeAclsResponse describeAcls(DescribeAclsRequest request) {
        io.ferry.security.AclBindingFilter selecting;
        try {
            selecting = AclProtos.filter(request.getFilter());
        } catch (IllegalArgumentException e) {
            return DescribeAclsResponse.newBuilder()
                    .setError(Errors.of(ErrorCode.INVALID_REQUEST, "filter: " + e.getMessage()))
                    .build();
        }
        return DescribeAclsResponse.newBuilder()
                .setError(Errors.NONE)
                .addAllAcls(state.acls().stream()
                        .map(AccessControlEntryRecord::getBinding)
                        .filter(b -> selecting.matches(AclProtos.binding(b)))
                        .sorted(ORDER)
                        .toList())
                .setMetadataVersion(state.version())
                .build();
    }

    private static Error tooMany(String field, int count) {
        return Errors.of(
                ErrorCode.INVALID_REQUEST,
                field + " has " + count + " entries; at most " + MAX_PER_REQUEST + " are allowed");
    }
}
