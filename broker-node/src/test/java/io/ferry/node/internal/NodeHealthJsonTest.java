package io.ferry.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code /health} body: a status per role, the reason of each one down, valid JSON whatever the reason says. */
class NodeHealthJsonTest {

    @Test
    void eachRoleDownCarriesItsReasonAsAJsonString() {
        Map<String, RoleHealth> roles = new LinkedHashMap<>();
        roles.put("controller", RoleHealth.UP);
        roles.put("broker", RoleHealth.down("log directory C:\\data \"1\" failed:\n\tdisk\u0001"));
        NodeHealth health = new NodeHealth(NodeHealth.State.RUNNING, Optional.empty(), roles);
        assertFalse(health.isHealthy());
        assertEquals(
                "{\"status\":\"DOWN\",\"state\":\"RUNNING\",\"roles\":{\"controller\":{\"status\":\"UP\"},"
                        + "\"broker\":{\"status\":\"DOWN\",\"reason\":\"log directory C:\\\\data \\\"1\\\" failed:\\n\\tdisk"
                        + "\\u0001\"}}}\n",
                health.toJson());
    }

    @Test
    void aFatalErrorMakesTheNodeUnhealthyWhateverItsRolesSay() {
        NodeHealth health = new NodeHealth(
                NodeHealth.State.RUNNING,
                Optional.of("java.lang.OutOfMemoryError: Java heap space on thread ferry-grpc-3"),
                Map.of("broker", RoleHealth.UP));
        assertFalse(health.isHealthy());
        assertEquals(
                "{\"status\":\"DOWN\",\"state\":\"RUNNING\",\"fatal_error\":\"java.lang.OutOfMemoryError: Java "
                        + "heap space on thread ferry-grpc-3\",\"roles\":{\"broker\":{\"status\":\"UP\"}}}\n",
                health.toJson());
    }
}
