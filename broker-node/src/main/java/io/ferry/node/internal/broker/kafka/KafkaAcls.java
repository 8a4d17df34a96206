package io.ferry.node.internal.broker.kafka;

import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AclOperation;
import io.ferry.proto.v1.AclPermissionType;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.DeleteAclsFilterResult;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PatternType;
import io.ferry.proto.v1.ResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsMatchingAcl;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData.AclDescription;
import org.apache.kafka.common.message.DescribeAclsResponseData.DescribeAclsResource;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's CreateAcls, DescribeAcls and DeleteAcls ({@code kafka-acls.sh}, the admin client's ACL calls) as
 * Ferry's. Both protocols number resource types, pattern types, operations and permissions as Kafka does
 * (acl.proto), so a binding maps field for field; a number Ferry has no ACLs for (Kafka's TRANSACTIONAL_ID,
 * DELEGATION_TOKEN and USER resources, the token and two-phase-commit operations) does not map, and that
 * binding or filter alone is answered INVALID_REQUEST naming it. Ferry checks the rest (an ANY in a binding,
 * lengths) as for its own clients.
 */
final class KafkaAcls {

    private KafkaAcls() {}

    /** A Kafka binding's fields as Ferry's, or why they have none. */
    record Mapped<T>(T value, String unsupported) {}

    /**
     * A request's bindings or filters mapped one by one: those Ferry takes ({@code forwarded}, in order, with
     * their {@code indexes} in the request) and those refused here (index to why).
     */
    record Split<T>(int count, List<T> forwarded, List<Integer> indexes, Map<Integer, String> refused) {

        static <K, T> Split<T> of(List<K> items, Function<K, Mapped<T>> mapping) {
            List<T> forwarded = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            Map<Integer, String> refused = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                Mapped<T> mapped = mapping.apply(items.get(i));
                if (mapped.unsupported() != null) {
                    refused.put(i, mapped.unsupported());
                } else {
                    forwarded.add(mapped.value());
                    indexes.add(i);
                }
            }
            return new Split<>(items.size(), forwarded, indexes, refused);
        }
    }

    static Mapped<AclBinding> binding(AclCreation kafka) {
        String unsupported = unsupported(
                kafka.resourceType(), kafka.resourcePatternType(), kafka.operation(), kafka.permissionType());
        if (unsupported != null) {
            return new Mapped<>(null, unsupported);
        }
        return new Mapped<>(
                AclBinding.newBuilder()
                        .setResourceType(ResourceType.forNumber(kafka.resourceType()))
                        .setResourceName(orEmpty(kafka.resourceName()))
                        .setPatternType(PatternType.forNumber(kafka.resourcePatternType()))
                        .setPrincipal(orEmpty(kafka.principal()))
                        .setHost(orEmpty(kafka.host()))
                        .setOperation(AclOperation.forNumber(kafka.operation()))
                        .setPermissionType(AclPermissionType.forNumber(kafka.permissionType()))
                        .build(),
                null);
    }

    static Mapped<AclBindingFilter> filter(DescribeAclsRequestData kafka) {
        return filter(
                kafka.resourceTypeFilter(),
                kafka.resourceNameFilter(),
                kafka.patternTypeFilter(),
                kafka.principalFilter(),
                kafka.hostFilter(),
                kafka.operation(),
                kafka.permissionType());
    }

    static Mapped<AclBindingFilter> filter(DeleteAclsFilter kafka) {
        return filter(
                kafka.resourceTypeFilter(),
                kafka.resourceNameFilter(),
                kafka.patternTypeFilter(),
                kafka.principalFilter(),
                kafka.hostFilter(),
                kafka.operation(),
                kafka.permissionType());
    }

    private static Mapped<AclBindingFilter> filter(
            byte resourceType,
            String name,
            byte patternType,
            String principal,
            String host,
            byte operation,
            byte permission) {
        String unsupported = unsupported(resourceType, patternType, operation, permission);
        if (unsupported != null) {
            return new Mapped<>(null, unsupported);
        }
        AclBindingFilter.Builder filter = AclBindingFilter.newBuilder()
                .setResourceType(ResourceType.forNumber(resourceType))
                .setPatternType(PatternType.forNumber(patternType))
                .setOperation(AclOperation.forNumber(operation))
                .setPermissionType(AclPermissionType.forNumber(permission));
        // Kafka's null matches every value, as an unset field of Ferry's filter.
        if (name != null) {
            filter.setResourceName(name);
        }
        if (principal != null) {
            filter.setPrincipal(principal);
        }
        if (host != null) {
            filter.setHost(host);
        }
        return new Mapped<>(filter.build(), null);
    }

    /**
     * CreateAcls' answer, one result per creation in the request's order: the refused ones from here, the
     * forwarded ones from Ferry's answer.
     */
    static CreateAclsResponseData created(Split<AclBinding> creations, CreateAclsResponse ferry) {
        List<Integer> forwarded = creations.indexes();
        AclCreationResult[] results = new AclCreationResult[creations.count()];
        creations
                .refused()
                .forEach((i, why) -> results[i] = new AclCreationResult()
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage(why));
        for (int f = 0; f < forwarded.size(); f++) {
            Error error = ferry.hasError() && ferry.getError().getCode() != ErrorCode.NONE
                    ? ferry.getError()
                    : f < ferry.getResultsCount() ? ferry.getResults(f) : missing();
            results[forwarded.get(f)] = new AclCreationResult()
                    .setErrorCode(KafkaErrors.of(error).code())
                    .setErrorMessage(message(error));
        }
        return new CreateAclsResponseData().setResults(List.of(results));
    }

    /** DescribeAcls' answer: Ferry's bindings, grouped by resource pattern in the order they come. */
    static DescribeAclsResponseData described(DescribeAclsResponse ferry) {
        if (ferry.hasError() && ferry.getError().getCode() != ErrorCode.NONE) {
            return refusedDescribe(KafkaErrors.of(ferry.getError()), message(ferry.getError()));
        }
        Map<AclBinding, DescribeAclsResource> resources = new LinkedHashMap<>();
        for (AclBinding acl : ferry.getAclsList()) {
            AclBinding pattern = AclBinding.newBuilder()
                    .setResourceType(acl.getResourceType())
                    .setResourceName(acl.getResourceName())
                    .setPatternType(acl.getPatternType())
                    .build();
            resources
                    .computeIfAbsent(
                            pattern,
                            p -> new DescribeAclsResource()
                                    .setResourceType((byte) p.getResourceTypeValue())
                                    .setResourceName(p.getResourceName())
                                    .setPatternType((byte) p.getPatternTypeValue())
                                    .setAcls(new ArrayList<>()))
                    .acls()
                    .add(new AclDescription()
                            .setPrincipal(acl.getPrincipal())
                            .setHost(acl.getHost())
                            .setOperation((byte) acl.getOperationValue())
                            .setPermissionType((byte) acl.getPermissionTypeValue()));
        }
        return new DescribeAclsResponseData().setResources(new ArrayList<>(resources.values()));
    }

    static DescribeAclsResponseData refusedDescribe(Errors error, String why) {
        return new DescribeAclsResponseData()
                .setErrorCode(error.code())
                .setErrorMessage(why)
                .setResources(List.of());
    }

    /**
     * DeleteAcls' answer, one result per filter in the request's order: the refused ones from here, the
     * forwarded ones from Ferry's answer, each with the ACLs it deleted.
     */
    static DeleteAclsResponseData deleted(Split<AclBindingFilter> filters, DeleteAclsResponse ferry) {
        List<Integer> forwarded = filters.indexes();
        DeleteAclsResponseData.DeleteAclsFilterResult[] results =
                new DeleteAclsResponseData.DeleteAclsFilterResult[filters.count()];
        filters.refused()
                .forEach((i, why) -> results[i] = new DeleteAclsResponseData.DeleteAclsFilterResult()
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage(why));
        boolean failed = ferry.hasError() && ferry.getError().getCode() != ErrorCode.NONE;
        for (int f = 0; f < forwarded.size(); f++) {
            DeleteAclsFilterResult result = failed || f >= ferry.getFilterResultsCount()
                    ? DeleteAclsFilterResult.newBuilder()
                            .setError(failed ? ferry.getError() : missing())
                            .build()
                    : ferry.getFilterResults(f);
            List<DeleteAclsMatchingAcl> matching = new ArrayList<>();
            for (AclBinding acl : result.getDeletedList()) {
                matching.add(new DeleteAclsMatchingAcl()
                        .setResourceType((byte) acl.getResourceTypeValue())
                        .setResourceName(acl.getResourceName())
                        .setPatternType((byte) acl.getPatternTypeValue())
                        .setPrincipal(acl.getPrincipal())
                        .setHost(acl.getHost())
                        .setOperation((byte) acl.getOperationValue())
                        .setPermissionType((byte) acl.getPermissionTypeValue()));
            }
            results[forwarded.get(f)] = new DeleteAclsResponseData.DeleteAclsFilterResult()
                    .setErrorCode(KafkaErrors.of(result.getError()).code())
                    .setErrorMessage(message(result.getError()))
                    .setMatchingAcls(matching);
        }
        return new DeleteAclsResponseData().setFilterResults(List.of(results));
    }

    /** Why Ferry has no ACL of these numbers, or null. */
    private static String unsupported(byte resourceType, byte patternType, byte operation, byte permission) {
        if (ResourceType.forNumber(resourceType) == null) {
            return "resource type " + org.apache.kafka.common.resource.ResourceType.fromCode(resourceType)
                    + " has no ACLs on Ferry (TOPIC, GROUP and CLUSTER do)";
        }
        if (PatternType.forNumber(patternType) == null) {
            return "pattern type " + patternType + " is not one of Kafka's";
        }
        if (AclOperation.forNumber(operation) == null) {
            return "operation " + org.apache.kafka.common.acl.AclOperation.fromCode(operation)
                    + " has no ACLs on Ferry";
        }
        if (AclPermissionType.forNumber(permission) == null) {
            return "permission type " + permission + " is not one of Kafka's";
        }
        return null;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String message(Error error) {
        return error.getCode() == ErrorCode.NONE || error.getMessage().isEmpty() ? null : error.getMessage();
    }

    /** Ferry's answer lacks a result it owes: never expected, answered as the server's fault. */
    private static Error missing() {
        return Error.newBuilder()
                .setCode(ErrorCode.UNKNOWN_SERVER_ERROR)
                .setMessage("the broker's answer has no result for this")
                .build();
    }
}
