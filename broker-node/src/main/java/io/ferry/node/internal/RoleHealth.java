package io.ferry.node.internal;

import java.util.List;

/**
 * Whether a role can do its job now and, when it cannot, why, in words an operator can act on.
 *
 * @param reason empty when healthy; otherwise every failed condition, separated by {@code "; "}
 */
public record RoleHealth(boolean healthy, String reason) {

    public static final RoleHealth UP = new RoleHealth(true, "");

    /** Healthy when nothing is wrong; otherwise down for all of {@code problems}. */
    public static RoleHealth of(List<String> problems) {
        return problems.isEmpty() ? UP : new RoleHealth(false, String.join("; ", problems));
    }

    public static RoleHealth down(String reason) {
        return new RoleHealth(false, reason);
    }
}
