package io.ferry.node;

import io.ferry.config.ConfigException;
import io.ferry.node.internal.BrokerRole;
import io.ferry.node.internal.ControllerRole;
import io.ferry.node.internal.NodeRole;
import io.ferry.node.internal.RoleFactory;
import io.ferry.node.internal.threads.NodeThreads;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;

/** The role implementations of this build. */
final class DefaultRoles implements RoleFactory {

    @Override
    public NodeRole create(ProcessRole role, NodeConfig config, MeterRegistry registry, NodeThreads threads)
            throws ConfigException {
        return switch (role) {
            case CONTROLLER -> new ControllerRole(config, registry, InstantSource.system(), threads);
            case BROKER -> new BrokerRole(config, registry, InstantSource.system(), threads);
        };
    }
}
