package io.ferry.node;

import java.util.Locale;

/**
 * What a node does, from {@code process.roles}. A node may have both roles. Declared in start order:
 * a combined node starts its controller before its broker, which registers with the quorum.
 */
public enum ProcessRole {
    /** A voter of the metadata quorum (Raft on Ratis); the leader is the active controller. */
    CONTROLLER,
    /** Hosts partition replicas and serves clients. */
    BROKER;

    /** The name used in {@code process.roles}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ProcessRole fromConfigName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
