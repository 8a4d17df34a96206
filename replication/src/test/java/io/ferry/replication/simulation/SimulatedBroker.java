package io.ferry.replication.simulation;

import io.ferry.replication.AlterPartitionChannel;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicaFetchResult;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.ReplicaLogs;
import io.ferry.replication.ReplicaManager;
import io.ferry.replication.ReplicationException;
import io.ferry.replication.ReplicationListener;
import io.ferry.replication.Timer;
import io.ferry.replication.simulation.ControllerModel.MetadataView;
import io.ferry.storage.TopicPartition;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A broker: its logs, which outlive its processes, and the process running now, if any. A process is a
 * production {@link ReplicaManager} whose timer, clock, fetcher executors, ReplicaFetch client and
 * AlterPartition channel are the simulation's, and a session with the controller modelled on
 * {@code BrokerLifecycle}: it heartbeats every 500 ms, registers again when told, and applies each newer
 * metadata view, pushed or asked for every second.
 *
 * <p>A restarted process applies no view until its registration is accepted, and then none older than the
 * registration: the controller fences the previous incarnation first, so the new process never acts on the
 * leaderships and ISR memberships of a process whose unflushed log tail was lost. ({@link Wiring} can let it
 * act at once, as a mutant.)
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class SimulatedBroker implements ControllerModel.Subscriber {

    private static final long HEARTBEAT_INTERVAL_MS = 500;
    private static final long METADATA_POLL_MS = 1_000;

    /** One run of the broker's process, from start to crash. */
    private final class Process {
        final long incarnation;
        final Lifetime lifetime = new Lifetime();
        final SimulatedTimer timer;
        final ReplicaManager manager;
        boolean registered;
        /** The version its registration was accepted at: older views belong to the previous incarnation. */
        long registeredVersion;

        long appliedVersion = -1;

        Process(long incarnation, boolean registered) {
            this.incarnation = incarnation;
            this.registered = registered;
            this.timer = new SimulatedTimer(cluster.events, lifetime);
            this.manager = new ReplicaManager(
                    id,
                    new ReplicaLogs() {
                        @Override
                        public ReplicaLog open(TopicPartition tp) {
                            return cluster.wiring.log(id, logs.get(tp), cluster);
                        }

                        @Override
                        public void delete(TopicPartition tp) {
                            throw new AssertionError("the simulation deletes no partition");
                        }
                    },
                    topic -> cluster.minInsyncReplicas,
                    cluster.config,
                    new ReplicaManager.Environment(
                            timer,
                            cluster.events.clock(),
                            cluster.wiring.leaderClient(leaderClient()),
                            alterPartitionChannel(),
                            ReplicationListener.NONE,
                            name -> new SimulatedExecutor(cluster.events, lifetime, cluster.random)));
        }

        private LeaderClient leaderClient() {
            return (leaderId, replicaId, params, partitions, full, timeoutMs) -> {
                CompletableFuture<Map<TopicPartition, ReplicaFetchResult>> answer = new CompletableFuture<>();
                deadline(answer, params.maxWaitMs() + timeoutMs, "ReplicaFetch deadline exceeded");
                Process leader = cluster.broker(leaderId).process;
                if (leader == null) {
                    timer.schedule(1, () -> answer.completeExceptionally(new IOException("connection refused")));
                    return answer;
                }
                cluster.trace.note(() -> "broker " + id + " fetches from " + leaderId + ": " + partitions);
                cluster.network.send(
                        id,
                        leaderId,
                        leader.lifetime,
                        () -> leader.manager.fetchForFollower(
                                replicaId,
                                params,
                                partitions,
                                result -> cluster.network.send(leaderId, id, lifetime, () -> {
                                    cluster.trace.note(
                                            () -> "broker " + id + " gets from " + leaderId + ": " + describe(result));
                                    answer.complete(result);
                                })));
                return answer;
            };
        }

        private AlterPartitionChannel alterPartitionChannel() {
            return (tp, leaderEpoch, partitionEpoch, newIsr) -> {
                CompletableFuture<LeaderAndIsr> answer = new CompletableFuture<>();
                deadline(answer, cluster.config.requestTimeoutMs(), "no controller answered");
                ControllerModel controller = cluster.controller;
                cluster.network.send(
                        id,
                        ControllerModel.NODE,
                        controller.lifetime(),
                        () -> controller.alterPartition(
                                id,
                                incarnation,
                                tp,
                                leaderEpoch,
                                partitionEpoch,
                                newIsr,
                                altered -> cluster.network.send(ControllerModel.NODE, id, lifetime, () -> {
                                    if (altered.error() != null) {
                                        answer.completeExceptionally(new ReplicationException(
                                                altered.error(), "the controller refused the ISR " + newIsr));
                                    } else {
                                        answer.complete(altered.state());
                                    }
                                })));
                return answer;
            };
        }

        /**
         * Fails {@code answer} with an IOException saying {@code why} if it is not answered within
         * {@code timeoutMs}; an answer cancels the deadline, so that most requests create no exception (whose
         * stack trace would cost more than the rest of the request).
         */
        private void deadline(CompletableFuture<?> answer, long timeoutMs, String why) {
            Timer.Timeout timeout = timer.schedule(timeoutMs, () -> answer.completeExceptionally(new IOException(why)));
            answer.whenComplete((result, error) -> timeout.cancel());
        }

        void start() {
            every(HEARTBEAT_INTERVAL_MS, this::heartbeat);
            every(METADATA_POLL_MS, this::pollMetadata);
            every(500 + cluster.random.nextInt(3_500), () -> logs.values().forEach(MemoryReplicaLog::flush));
            every(
                    500 + cluster.random.nextInt(3_500),
                    () -> logs.values().forEach(MemoryReplicaLog::checkpointHighWatermark));
            if (registered) {
                pollMetadata();
            }
        }

        private void every(long periodMs, Runnable action) {
            timer.schedule(periodMs, () -> {
                action.run();
                every(periodMs, action);
            });
        }

        private void heartbeat() {
            ControllerModel controller = cluster.controller;
            if (!registered) {
                cluster.network.send(
                        id,
                        ControllerModel.NODE,
                        controller.lifetime(),
                        () -> controller.register(
                                id,
                                incarnation,
                                answer -> cluster.network.send(ControllerModel.NODE, id, lifetime, () -> {
                                    if (answer.error() == null && !registered) {
                                        registered = true;
                                        registeredVersion = answer.version();
                                        pollMetadata();
                                    }
                                })));
                return;
            }
            cluster.network.send(
                    id,
                    ControllerModel.NODE,
                    controller.lifetime(),
                    () -> controller.heartbeat(
                            id,
                            incarnation,
                            accepted -> cluster.network.send(ControllerModel.NODE, id, lifetime, () -> {
                                if (!accepted) {
                                    registered = false;
                                }
                            })));
        }

        private void pollMetadata() {
            ControllerModel controller = cluster.controller;
            cluster.network.send(
                    id,
                    ControllerModel.NODE,
                    controller.lifetime(),
                    () -> controller.fetchMetadata(
                            view -> cluster.network.send(ControllerModel.NODE, id, lifetime, () -> apply(view))));
        }

        void apply(MetadataView view) {
            boolean current = registered && view.version() >= registeredVersion;
            if ((!current && cluster.wiring.brokerWaitsForRegistration()) || view.version() <= appliedVersion) {
                return;
            }
            appliedVersion = view.version();
            manager.setFencedBrokers(view.fenced());
            view.partitions().forEach((tp, state) -> {
                if (state.replicas().contains(id)) {
                    cluster.wiring.beforeApplying(id, state, manager.partition(tp), logs.get(tp));
                    manager.applyPartitionState(tp, state);
                    cluster.wiring.afterApplying(
                            id, state, manager.partition(tp).orElseThrow(), logs.get(tp));
                }
            });
        }
    }

    private static String describe(Map<TopicPartition, ReplicaFetchResult> result) {
        StringBuilder b = new StringBuilder();
        result.forEach((tp, r) -> b.append(tp)
                .append(": ")
                .append(r.error() == null ? "" : r.error().code() + " ")
                .append("hw ")
                .append(r.highWatermark())
                .append(" leo ")
                .append(r.logEndOffset())
                .append(r.divergingEpoch() == null ? "" : " diverging " + r.divergingEpoch())
                .append(" bytes ")
                .append(r.records().remaining())
                .append("; "));
        return b.toString();
    }

    final int id;
    private final SimulatedCluster cluster;
    /** The partitions' logs: on this broker's disk, they outlive its processes. */
    private final Map<TopicPartition, MemoryReplicaLog> logs = new LinkedHashMap<>();

    private Process process;
    private long incarnations;

    SimulatedBroker(int id, SimulatedCluster cluster) {
        this.id = id;
        this.cluster = cluster;
        for (TopicPartition tp : cluster.partitions()) {
            logs.put(tp, new MemoryReplicaLog(cluster.checks(tp).observer(id)));
        }
    }

    @Override
    public int node() {
        return id;
    }

    @Override
    public Lifetime lifetime() {
        return process == null ? null : process.lifetime;
    }

    @Override
    public void onView(MetadataView view) {
        process.apply(view);
    }

    boolean isUp() {
        return process != null;
    }

    /**
     * Starts a process. The first one is registered already (the cluster is bootstrapped with it); a
     * restarted one registers with a new incarnation.
     */
    void start() {
        incarnations++;
        cluster.trace.note(() -> "broker " + id + " starts incarnation " + incarnations + ", log ends " + logEnds());
        process = new Process(incarnations, incarnations == 1);
        process.start();
    }

    private String logEnds() {
        StringBuilder ends = new StringBuilder();
        logs.forEach((tp, log) -> ends.append(tp)
                .append('=')
                .append(log.logEndOffset())
                .append("(hw ")
                .append(log.highWatermark())
                .append(") "));
        return ends.toString().trim();
    }

    /** The process dies; every log loses an unflushed tail (see {@link MemoryReplicaLog#crash}). */
    void crash() {
        process.lifetime.end();
        process = null;
        for (Map.Entry<TopicPartition, MemoryReplicaLog> e : logs.entrySet()) {
            cluster.checks(e.getKey()).crashed(id);
            e.getValue().crash(cluster.random);
        }
        cluster.trace.note(() -> "broker " + id + " crashed, log ends after recovery " + logEnds());
    }

    MemoryReplicaLog log(TopicPartition tp) {
        return logs.get(tp);
    }

    Optional<Partition> partition(TopicPartition tp) {
        return process == null ? Optional.empty() : process.manager.partition(tp);
    }

    /** The running process's replica manager; the broker must be up. */
    ReplicaManager manager() {
        return process.manager;
    }

    /** Sends {@code delivery} from node {@code from} to this broker's running process, if it is up. */
    void receive(int from, Runnable delivery) {
        if (process != null) {
            cluster.network.send(from, id, process.lifetime, delivery);
        }
    }
}
