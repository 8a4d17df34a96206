package io.ferry.node;

import io.ferry.node.config.ConfigException;
import io.ferry.node.config.ConfigProblem;
import io.ferry.node.internal.ControllerRole;
import io.ferry.node.internal.NodeRole;
import io.ferry.node.internal.RoleFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;

/** The role implementations of this build. */
final class DefaultRoles implements RoleFactory {

    @Override
    public NodeRole create(ProcessRole role, NodeConfig config, MeterRegistry registry) throws ConfigException {
        return switch (role) {
            case CONTROLLER -> new ControllerRole(config, registry, InstantSource.system());
            case BROKER -> throw new ConfigException(new ConfigProblem(NodeConfigKeys.PROCESS_ROLES.name(),
                    config.values().origin(NodeConfigKeys.PROCESS_ROLES),
                    "the broker role is not available in this build yet"));
        };
    }
}
