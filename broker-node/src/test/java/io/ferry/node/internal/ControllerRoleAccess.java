package io.ferry.node.internal;

import io.ferry.config.ConfigException;
import io.ferry.controller.ControllerConfig;
import io.ferry.node.NodeConfig;

/** Lets tests in other packages see how node keys map to the controller's settings. */
public final class ControllerRoleAccess {

    private ControllerRoleAccess() {}

    public static ControllerConfig controllerConfig(NodeConfig config) throws ConfigException {
        return ControllerRole.controllerConfig(config);
    }
}
