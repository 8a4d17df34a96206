package io.ferry.node.internal.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaEntityComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaPrecedenceTest {

    private static final String KEY = "producer_byte_rate";

    /** The eight entities for alice / app, most specific first; null names the default. */
    private static final List<ClientQuotaEntity> LEVELS = List.of(
            entity("alice", "app"),
            entity("alice", null),
            entity("alice"),
            entity(null, "app"),
            entity(null, null),
            entity((String) null),
            clientOnly("app"),
            clientOnly(null));

    private static ClientQuotaEntityComponent component(String type, String name) {
        ClientQuotaEntityComponent.Builder c =
                ClientQuotaEntityComponent.newBuilder().setEntityType(type);
        return (name == null ? c : c.setEntityName(name)).build();
    }

    private static ClientQuotaEntity entity(String user, String clientId) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(component("user", user))
                .addComponents(component("client-id", clientId))
                .build();
    }

    private static ClientQuotaEntity entity(String user) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(component("user", user))
                .build();
    }

    private static ClientQuotaEntity clientOnly(String clientId) {
        return ClientQuotaEntity.newBuilder()
                .addComponents(component("client-id", clientId))
                .build();
    }

    @Test
    void theMostSpecificOfTheEightEntitiesWins() {
        // Given a quota at every level, level i's value i + 1: removing the levels one by one from the most
        // specific, the next one applies each time.
        for (int first = 0; first < LEVELS.size(); first++) {
            Map<ClientQuotaEntity, Map<String, Double>> quotas = new LinkedHashMap<>();
            for (int i = first; i < LEVELS.size(); i++) {
                quotas.put(LEVELS.get(i), Map.of(KEY, i + 1.0));
            }
            assertEquals(
                    first + 1.0,
                    QuotaPrecedence.lookup(quotas, KEY, "alice", "app")
                            .orElseThrow()
                            .bound(),
                    "with levels " + (first + 1) + ".." + LEVELS.size());
        }
    }

    @Test
    void aLevelWithoutTheKeyIsSkippedAndNoQuotaMeansNone() {
        Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of(
                entity("alice", "app"), Map.of("consumer_byte_rate", 1.0),
                clientOnly(null), Map.of(KEY, 8.0));
        assertEquals(
                8.0,
                QuotaPrecedence.lookup(quotas, KEY, "alice", "app")
                        .orElseThrow()
                        .bound());
        assertEquals(
                Optional.empty(), QuotaPrecedence.lookup(Map.of(entity("bob"), Map.of(KEY, 1.0)), KEY, "alice", "app"));
    }

    @Test
    void aDefaultGivesEachCallerItsOwnMeasuredRate() {
        List<QuotaPrecedence.Applied> applied = new ArrayList<>();
        Map<ClientQuotaEntity, Map<String, Double>> quotas = Map.of(entity((String) null), Map.of(KEY, 5.0));
        applied.add(QuotaPrecedence.lookup(quotas, KEY, "alice", "app").orElseThrow());
        applied.add(QuotaPrecedence.lookup(Map.of(clientOnly("app"), Map.of(KEY, 5.0)), KEY, "alice", "app")
                .orElseThrow());
        applied.add(QuotaPrecedence.lookup(Map.of(entity(null, null), Map.of(KEY, 5.0)), KEY, "alice", "app")
                .orElseThrow());
        assertEquals(
                List.of(
                        new QuotaPrecedence.Applied(5.0, "alice", ""),
                        new QuotaPrecedence.Applied(5.0, "", "app"),
                        new QuotaPrecedence.Applied(5.0, "alice", "app")),
                applied);
    }
}
