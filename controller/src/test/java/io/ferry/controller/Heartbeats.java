package io.ferry.controller;

import io.ferry.proto.v1.BrokerHeartbeatRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Sends a heartbeat for every broker it holds, every {@code periodMs}, to the controller nodes in
 * turn (any node forwards to the active one), as brokers would.
 */
final class Heartbeats implements AutoCloseable {
    private final Map<Integer, String> incarnations = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ControllerCluster cluster;
    private final List<Integer> nodeIds;
    private int next;

    Heartbeats(ControllerCluster cluster, List<Integer> nodeIds, long periodMs) {
        this.cluster = cluster;
        this.nodeIds = nodeIds;
        timer.scheduleWithFixedDelay(this::beat, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    void add(int brokerId, String incarnation) {
        incarnations.put(brokerId, incarnation);
    }

    void remove(int brokerId) {
        incarnations.remove(brokerId);
    }

    private void beat() {
        for (Map.Entry<Integer, String> b : incarnations.entrySet()) {
            IntFunction<Boolean> send = node -> {
                try {
                    cluster.stub(node)
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .brokerHeartbeat(BrokerHeartbeatRequest.newBuilder()
                                    .setBrokerId(b.getKey())
                                    .setIncarnationId(b.getValue())
                                    .build());
                    return true;
                } catch (RuntimeException e) {
                    return false; // node down: try the next one
                }
            };
            for (int attempt = 0; attempt < nodeIds.size(); attempt++) {
                int node = nodeIds.get(next++ % nodeIds.size());
                if (cluster.node(node) != null && send.apply(node)) {
                    break;
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
