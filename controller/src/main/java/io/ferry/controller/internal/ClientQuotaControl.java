package io.ferry.controller.internal;

import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import io.ferry.proto.v1.ClientQuotaFilterComponent;
import io.ferry.proto.v1.ClientQuotaMatchType;
import io.ferry.proto.v1.ClientQuotaOp;
import io.ferry.proto.v1.ClientQuotaRecord;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.DescribeClientQuotasResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides client quota changes from the committed {@link MetadataState}, as Kafka's
 * {@code ClientQuotaControlManager}: each entry is validated and answered on its own; a valid one becomes
 * one {@link ClientQuotaRecord} per key whose value changes. Describe applies Kafka's filter. Runs on the
 * active controller's event thread; never mutates the state.
 */
final class ClientQuotaControl {

    /** Most entries one request may carry: every controller decides and logs them at once. */
    static final int MAX_PER_REQUEST = 1000;

    private final MetadataState state;

    ClientQuotaControl(MetadataState state) {
        this.state = state;
    }

    ControllerResult<AlterClientQuotasResponse> alterClientQuotas(AlterClientQuotasRequest request) {
        if (request.getEntriesCount() > MAX_PER_REQUEST) {
            return ControllerResult.atOnce(AlterClientQuotasResponse.newBuilder()
                    .setError(Errors.of(
                            ErrorCode.INVALID_REQUEST,
                            "entries has " + request.getEntriesCount() + " entries; at most " + MAX_PER_REQUEST
                                    + " are allowed"))
                    .build());
        }
        Map<ClientQuotaEntity, Map<String, Double>> current = state.clientQuotas();
        List<MetadataRecord> records = new ArrayList<>();
        AlterClientQuotasResponse.Builder response =
                AlterClientQuotasResponse.newBuilder().setError(Errors.NONE);
        for (int i = 0; i < request.getEntriesCount(); i++) {
            ClientQuotaAlteration entry = request.getEntries(i);
            Optional<String> problem = problem(entry);
            if (problem.isPresent()) {
                response.addResults(Errors.of(ErrorCode.INVALID_REQUEST, "entries[" + i + "]." + problem.get()));
                continue;
            }
            ClientQuotaEntity entity = ClientQuotas.canonical(entry.getEntity());
            Map<String, Double> values = current.getOrDefault(entity, Map.of());
            for (ClientQuotaOp op : entry.getOpsList()) {
                boolean changes = op.getRemove()
                        ? values.containsKey(op.getKey())
                        : !Double.valueOf(op.getValue()).equals(values.get(op.getKey()));
                if (changes) {
                    ClientQuotaRecord.Builder r =
                            ClientQuotaRecord.newBuilder().setEntity(entity).setKey(op.getKey());
                    records.add(MetadataRecord.newBuilder()
                            .setClientQuota(op.getRemove() ? r.setRemove(true) : r.setValue(op.getValue()))
                            .build());
                }
            }
            response.addResults(Errors.NONE);
        }
        return new ControllerResult<>(request.getValidateOnly() ? List.of() : records, response.build());
    }

    /** Why the entry cannot be applied, naming the field below the entry; empty when it can. */
    private static Optional<String> problem(ClientQuotaAlteration entry) {
        Optional<String> entity = ClientQuotas.entityProblem(entry.getEntity());
        if (entity.isPresent()) {
            return entity;
        }
        Set<String> keys = new HashSet<>();
        for (int j = 0; j < entry.getOpsCount(); j++) {
            ClientQuotaOp op = entry.getOps(j);
            Optional<String> value = op.getRemove()
                    ? ClientQuotas.valueProblem(op.getKey(), 1)
                    : ClientQuotas.valueProblem(op.getKey(), op.getValue());
            if (value.isPresent()) {
                return Optional.of("ops[" + j + "]: " + value.get());
            }
            if (!keys.add(op.getKey())) {
                return Optional.of("ops[" + j + "]: key " + op.getKey() + " appears twice");
            }
        }
        return Optional.empty();
    }

    /** The quotas of the entities the filter selects, ordered by entity; INVALID_REQUEST for a bad filter. */
    DescribeClientQuotasResponse describeClientQuotas(DescribeClientQuotasRequest request) {
        Optional<String> problem = filterProblem(request);
        if (problem.isPresent()) {
            return DescribeClientQuotasResponse.newBuilder()
                    .setError(Errors.of(ErrorCode.INVALID_REQUEST, problem.get()))
                    .build();
        }
        DescribeClientQuotasResponse.Builder response =
                DescribeClientQuotasResponse.newBuilder().setError(Errors.NONE).setMetadataVersion(state.version());
        state.clientQuotas().forEach((entity, values) -> {
            if (matches(request, entity)) {
                response.addEntries(
                        DescribeClientQuotasEntry.newBuilder().setEntity(entity).putAllValues(values));
            }
        });
        return response.build();
    }

    private static Optional<String> filterProblem(DescribeClientQuotasRequest request) {
        Set<String> types = new HashSet<>();
        for (int i = 0; i < request.getComponentsCount(); i++) {
            ClientQuotaFilterComponent c = request.getComponents(i);
            String field = "components[" + i + "]";
            if (!ClientQuotas.ENTITY_TYPES.contains(c.getEntityType())) {
                return Optional.of(field + ".entity_type must be 'user' or 'client-id'");
            }
            if (!types.add(c.getEntityType())) {
                return Optional.of(field + ".entity_type '" + c.getEntityType() + "' appears twice");
            }
            switch (c.getMatchType()) {
                case CLIENT_QUOTA_MATCH_TYPE_EXACT -> {
                    Optional<String> name = ClientQuotas.nameProblem(c.getMatch());
                    if (name.isPresent()) {
                        return Optional.of(field + ".match " + name.get());
                    }
                }
                case CLIENT_QUOTA_MATCH_TYPE_DEFAULT, CLIENT_QUOTA_MATCH_TYPE_ANY -> {
                    if (!c.getMatch().isEmpty()) {
                        return Optional.of(field + ".match is only for EXACT; leave it empty");
                    }
                }
                default -> {
                    return Optional.of(field + ".match_type must be EXACT, DEFAULT or ANY");
                }
            }
        }
        return Optional.empty();
    }

    /** Kafka's rule: every component matches; strict also refuses entities with further components. */
    static boolean matches(DescribeClientQuotasRequest filter, ClientQuotaEntity entity) {
        if (filter.getStrict() && entity.getComponentsCount() != filter.getComponentsCount()) {
            return false;
        }
        for (ClientQuotaFilterComponent c : filter.getComponentsList()) {
            Optional<ClientQuotaEntityComponent> found = ClientQuotas.component(entity, c.getEntityType());
            if (found.isEmpty() || !matches(c, found.get())) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(ClientQuotaFilterComponent filter, ClientQuotaEntityComponent component) {
        return switch (filter.getMatchType()) {
            case CLIENT_QUOTA_MATCH_TYPE_EXACT ->
                component.hasEntityName() && component.getEntityName().equals(filter.getMatch());
            case CLIENT_QUOTA_MATCH_TYPE_DEFAULT -> !component.hasEntityName();
            default -> filter.getMatchType() == ClientQuotaMatchType.CLIENT_QUOTA_MATCH_TYPE_ANY;
        };
    }
}
