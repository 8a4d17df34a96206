package io.ferry.replication.simulation;

import io.ferry.record.CompressionType;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.ProduceOutcome;
import io.ferry.replication.RequiredAcks;
import io.ferry.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client: produces a batch every few milliseconds to the leader it last heard of, acks=all three times
 * in four and acks=1 otherwise, and asks the controller for leaders every half second. Every batch carries a
 * unique id in its producer id field, which is how the checks tell batches apart. A batch counts as
 * acknowledged when the leader answers it, whether or not the answer reaches the client: the leader has
 * promised it then.
 *
 * <p>Not thread-safe: runs on the simulation's thread.
 */
final class SimulatedProducer {

    private final SimulatedCluster cluster;
    private final long everyMs;
    private final long timeoutMs;
    /** The client's node id: after the brokers'. */
    private final int node;

    private final Lifetime lifetime = new Lifetime();
    private final Map<TopicPartition, Integer> leaders = new LinkedHashMap<>();
    private long nextBatchId = 1;
    private boolean producing = true;

    SimulatedProducer(SimulatedCluster cluster, Scenario scenario) {
        this.cluster = cluster;
        this.everyMs = scenario.produceEveryMs();
        this.timeoutMs = scenario.produceTimeoutMs();
        this.node = scenario.brokers() + 1;
    }

    int node() {
        return node;
    }

    void start() {
        refreshLeaders();
        cluster.events.schedule(everyMs, this::produceNext);
        refreshEvery(500);
    }

    private void refreshEvery(long periodMs) {
        cluster.events.schedule(periodMs, () -> {
            refreshLeaders();
            refreshEvery(periodMs);
        });
    }

    void stop() {
        producing = false;
    }

    private void produceNext() {
        if (!producing) {
            return;
        }
        List<TopicPartition> partitions = cluster.partitions();
        TopicPartition tp = partitions.get(cluster.random.nextInt(partitions.size()));
        RequiredAcks acks = cluster.random.nextInt(4) == 0 ? RequiredAcks.LEADER : RequiredAcks.ALL;
        Integer leader = leaders.get(tp);
        if (leader != null && leader != LeaderAndIsr.NO_LEADER) {
            produce(tp, leader, acks, nextBatchId++);
        }
        cluster.events.schedule(1 + cluster.random.nextInt((int) (2 * everyMs)), this::produceNext);
    }

    private void produce(TopicPartition tp, int leader, RequiredAcks acks, long batchId) {
        ByteBuffer batch = batch(batchId, 1 + cluster.random.nextInt(3));
        SimulatedBroker broker = cluster.broker(leader);
        RequiredAcks asked = cluster.wiring.acksAtLeader(acks);
        broker.receive(
                node,
                () -> broker.manager().appendRecords(asked, timeoutMs, Map.of(tp, batch), answer -> {
                    ProduceOutcome outcome = answer.get(tp);
                    cluster.trace.note(
                            () -> "broker " + leader + " answers batch " + batchId + " of " + tp + " (" + acks + "): "
                                    + (outcome.succeeded()
                                            ? outcome.baseOffset() + ".." + outcome.lastOffset()
                                            : outcome.error().code()));
                    if (acks == RequiredAcks.ALL && outcome.succeeded()) {
                        cluster.checks(tp).acknowledged(leader, batchId);
                    }
                    cluster.network.send(leader, node, lifetime, () -> {
                        if (!outcome.succeeded()) {
                            refreshLeaders();
                        }
                    });
                }));
    }

    private ByteBuffer batch(long batchId, int records) {
        RecordBatchBuilder builder =
                RecordBatchBuilder.create(CompressionType.NONE).producer(batchId, (short) 0, 0);
        for (int i = 0; i < records; i++) {
            builder.append(
                    cluster.events.nowMs(),
                    null,
                    ("batch " + batchId + " record " + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private void refreshLeaders() {
        ControllerModel controller = cluster.controller;
        cluster.network.send(
                node,
                ControllerModel.NODE,
                controller.lifetime(),
                () -> controller.fetchMetadata(view -> cluster.network.send(
                        ControllerModel.NODE,
                        node,
                        lifetime,
                        () -> view.partitions().forEach((tp, state) -> leaders.put(tp, state.leader())))));
    }
}
