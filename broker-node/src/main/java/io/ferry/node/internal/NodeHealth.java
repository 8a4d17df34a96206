package io.ferry.node.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A snapshot of a node's health, as {@code /health} reports it.
 *
 * @param state      the node's lifecycle state
 * @param fatalError an Error a thread of the node met (the process halts on one; a node that runs on
 *                   after it is not healthy), described
 * @param roles      each role's config name → its health (iteration order is start order)
 */
public record NodeHealth(State state, Optional<String> fatalError, Map<String, RoleHealth> roles) {

    /** The node's lifecycle, in order. */
    public enum State {
        STARTING,
        RUNNING,
        STOPPING,
        STOPPED
    }

    public NodeHealth {
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    }

    /** Running, no fatal error, and every role healthy. */
    public boolean isHealthy() {
        return state == State.RUNNING
                && fatalError.isEmpty()
                && roles.values().stream().allMatch(RoleHealth::healthy);
    }

    /**
     * E.g. {@code {"status":"DOWN","state":"RUNNING","roles":{"controller":{"status":"UP"},
     * "broker":{"status":"DOWN","reason":"fenced by the controllers"}}}}, with {@code "fatal_error"} after
     * {@code "state"} when there was one.
     */
    public String toJson() {
        String roleJson = roles.entrySet().stream()
                .map(e -> quoted(e.getKey()) + ":" + roleJson(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"status\":\"" + (isHealthy() ? "UP" : "DOWN") + "\",\"state\":\"" + state + "\""
                + fatalError.map(error -> ",\"fatal_error\":" + quoted(error)).orElse("")
                + ",\"roles\":" + roleJson + "}\n";
    }

    private static String roleJson(RoleHealth health) {
        return health.healthy()
                ? "{\"status\":\"UP\"}"
                : "{\"status\":\"DOWN\",\"reason\":" + quoted(health.reason()) + "}";
    }

    /** A JSON string: reasons carry messages from exceptions, file paths and the like. */
    static String quoted(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
