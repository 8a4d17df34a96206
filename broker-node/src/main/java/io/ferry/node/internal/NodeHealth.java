package io.ferry.node.internal;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A snapshot of a node's health, as {@code /health} reports it.
 *
 * @param state the node's lifecycle state
 * @param roles each role's config name → whether it is healthy (iteration order is start order)
 */
public record NodeHealth(State state, Map<String, Boolean> roles) {

    /** The node's lifecycle, in order. */
    public enum State { STARTING, RUNNING, STOPPING, STOPPED }

    public NodeHealth {
        roles = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(roles));
    }

    /** Running and every role healthy. */
    public boolean isHealthy() {
        return state == State.RUNNING && roles.values().stream().allMatch(Boolean::booleanValue);
    }

    /** E.g. {@code {"status":"UP","state":"RUNNING","roles":{"controller":"UP"}}}; role names are fixed identifiers. */
    public String toJson() {
        String roleJson = roles.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + (e.getValue() ? "UP" : "DOWN") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"status\":\"" + (isHealthy() ? "UP" : "DOWN") + "\",\"state\":\"" + state
                + "\",\"roles\":" + roleJson + "}\n";
    }
}
