package io.ferry.node.internal;

import io.ferry.node.NodeConfig;
import io.ferry.node.ProcessRole;
import io.ferry.node.internal.threads.NodeThreads;
import io.micrometer.core.instrument.MeterRegistry;

/** Creates (but does not start) the implementation of one role. */
@FunctionalInterface
public interface RoleFactory {

    /**
     * @param registry where the role registers its meters
     * @param threads  makes every thread and executor the role runs
     * @throws Exception if the role cannot be built from this configuration; start-up stops
     */
    NodeRole create(ProcessRole role, NodeConfig config, MeterRegistry registry, NodeThreads threads) throws Exception;
}
