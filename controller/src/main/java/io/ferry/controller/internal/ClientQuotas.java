package io.ferry.controller.internal;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka's client quota vocabulary and its checks: the entity types ({@code user}, {@code client-id}), the
 * keys, and what a valid entity and value are. Every check names the field that is wrong.
 */
final class ClientQuotas {

    static final String USER = "user";
    static final String CLIENT_ID = "client-id";
    static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    static final String REQUEST_PERCENTAGE = "request_percentage";

    /** The keys Ferry enforces; Kafka's controller_mutation_rate and IP quotas are not among them. */
    static final List<String> KEYS = List.of(PRODUCER_BYTE_RATE, CONSUMER_BYTE_RATE, REQUEST_PERCENTAGE);

    /** The stored order of components, and the order entity types sort by. */
    static final List<String> ENTITY_TYPES = List.of(USER, CLIENT_ID);

    /** Longest user or client id name, as the longest ACL name. */
    static final int MAX_NAME_LENGTH = 1024;

    /** Entities ordered type by type: no component, then the default, then names in order. */
    static final Comparator<ClientQuotaEntity> ORDER = (a, b) -> {
        for (String type : ENTITY_TYPES) {
            int c = compare(component(a, type), component(b, type));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private ClientQuotas() {}

    /** Why the entity cannot carry a quota, naming the field; empty when it can. */
    static Optional<String> entityProblem(ClientQuotaEntity entity) {
        if (entity.getComponentsCount() == 0) {
            return Optional.of("entity has no component; give a user, a client-id or both");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < entity.getComponentsCount(); i++) {
            ClientQuotaEntityComponent c = entity.getComponents(i);
            String field = "entity.components[" + i + "]";
            if (!ENTITY_TYPES.contains(c.getEntityType())) {
                return Optional.of(field + ".entity_type must be 'user' or 'client-id', got '"
                        + abbreviated(c.getEntityType()) + "'");
            }
            if (!seen.add(c.getEntityType())) {
                return Optional.of(field + ".entity_type '" + c.getEntityType() + "' appears twice");
            }
            if (c.hasEntityName()) {
                Optional<String> name = nameProblem(c.getEntityName());
                if (name.isPresent()) {
                    return Optional.of(field + ".entity_name " + name.get());
                }
            }
        }
        return Optional.empty();
    }

    /** Why the name is not a user or client id, or empty. */
    static Optional<String> nameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("is empty; leave it unset for the default entity");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of("has " + name.length() + " characters; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        return Optional.empty();
    }

    /** Why {@code key} cannot be set to {@code value}, or empty (Kafka: byte rates are whole and positive). */
    static Optional<String> valueProblem(String key, double value) {
        if (!KEYS.contains(key)) {
            return Optional.of("key '" + abbreviated(key) + "' is not one of " + KEYS);
        }
        if (!Double.isFinite(value) || value <= 0) {
            return Optional.of("value of " + key + " must be a positive number, got " + value);
        }
        if (!key.equals(REQUEST_PERCENTAGE) && (value != Math.rint(value) || value > Long.MAX_VALUE)) {
            return Optional.of("value of " + key + " must be a whole number of bytes per second, got " + value);
        }
        return Optional.empty();
    }

    /** The entity with its components in the stored order ({@link #ENTITY_TYPES}); it must be valid. */
    static ClientQuotaEntity canonical(ClientQuotaEntity entity) {
        ClientQuotaEntity.Builder b = ClientQuotaEntity.newBuilder();
        for (String type : ENTITY_TYPES) {
            component(entity, type).ifPresent(b::addComponents);
        }
        return b.build();
    }

    static Optional<ClientQuotaEntityComponent> component(ClientQuotaEntity entity, String type) {
        return entity.getComponentsList().stream()
                .filter(c -> c.getEntityType().equals(type))
                .findFirst();
    }

    private static int compare(Optional<ClientQuotaEntityComponent> a, Optional<ClientQuotaEntityComponent> b) {
        int c = Integer.compare(rank(a), rank(b));
        return c != 0 || rank(a) < 2
                ? c
                : a.get().getEntityName().compareTo(b.get().getEntityName());
    }

    private static int rank(Optional<ClientQuotaEntityComponent> c) {
        return c.isEmpty() ? 0 : c.get().hasEntityName() ? 2 : 1;
    }

    /** A caller's string, cut short for an error message. */
    private static String abbreviated(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
