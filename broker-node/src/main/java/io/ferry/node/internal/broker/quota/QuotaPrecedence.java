package io.ferry.node.internal.broker.quota;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which quota applies to a (user, client id), as Kafka's default quota callback decides: the first of eight
 * entities, most specific first, that has a value for the key:
 *
 * <ol>
 *   <li>/config/users/&lt;user&gt;/clients/&lt;client-id&gt;
 *   <li>/config/users/&lt;user&gt;/clients/&lt;default&gt;
 *   <li>/config/users/&lt;user&gt;
 *   <li>/config/users/&lt;default&gt;/clients/&lt;client-id&gt;
 *   <li>/config/users/&lt;default&gt;/clients/&lt;default&gt;
 *   <li>/config/users/&lt;default&gt;
 *   <li>/config/clients/&lt;client-id&gt;
 *   <li>/config/clients/&lt;default&gt;
 * </ol>
 *
 * A default entity gives each user (or client id) a quota of its own, not one shared by all.
 */
final class QuotaPrecedence {

    /** How an entity level names one entity type: not at all, the default, or the caller's own name. */
    private enum Part {
        ABSENT,
        DEFAULT,
        NAMED
    }

    private record Level(Part user, Part clientId) {}

    private static final List<Level> LEVELS = List.of(
            new Level(Part.NAMED, Part.NAMED),
            new Level(Part.NAMED, Part.DEFAULT),
            new Level(Part.NAMED, Part.ABSENT),
            new Level(Part.DEFAULT, Part.NAMED),
            new Level(Part.DEFAULT, Part.DEFAULT),
            new Level(Part.DEFAULT, Part.ABSENT),
            new Level(Part.ABSENT, Part.NAMED),
            new Level(Part.ABSENT, Part.DEFAULT));

    /**
     * The quota that applies and whom it is measured for: the caller's user and client id where the entity
     * that matched has that type, "" where it does not (Kafka's quota metric tags). Callers with equal tags
     * share one measured rate.
     */
    record Applied(double bound, String user, String clientId) {}

    private QuotaPrecedence() {}

    /**
     * @param quotas entity (user component before client-id) → key → value, as the metadata holds them
     * @param user   the caller's principal name
     * @param clientId the caller's client id, "" if it sent none
     */
    static Optional<Applied> lookup(
            Map<ClientQuotaEntity, Map<String, Double>> quotas, String key, String user, String clientId) {
        if (quotas.isEmpty()) {
            return Optional.empty();
        }
        for (Level level : LEVELS) {
            ClientQuotaEntity.Builder entity = ClientQuotaEntity.newBuilder();
            add(entity, "user", level.user(), user);
            add(entity, "client-id", level.clientId(), clientId);
            Double bound = quotas.getOrDefault(entity.build(), Map.of()).get(key);
            if (bound != null) {
                return Optional.of(new Applied(
                        bound,
                        level.user() == Part.ABSENT ? "" : user,
                        level.clientId() == Part.ABSENT ? "" : clientId));
            }
        }
        return Optional.empty();
    }

    private static void add(ClientQuotaEntity.Builder entity, String type, Part part, String name) {
        if (part == Part.ABSENT) {
            return;
        }
        ClientQuotaEntityComponent.Builder component =
                ClientQuotaEntityComponent.newBuilder().setEntityType(type);
        entity.addComponents(part == Part.NAMED ? component.setEntityName(name) : component);
    }
}
