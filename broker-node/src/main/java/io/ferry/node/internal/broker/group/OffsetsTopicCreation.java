package io.ferry.node.internal.broker.group;

import io.ferry.config.TopicKeys;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.ErrorCode;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the controllers to create {@code __consumer_offsets} the first time a group needs it (a FindCoordinator
 * finds no such topic), as Kafka's broker does: compacted, with {@code offsets.topic.*}'s partition count and
 * segment size, and {@code offsets.topic.replication.factor} replicas, or as many as there are live brokers
 * if fewer (with a warning). One request at a time per broker; a second broker's request finds the topic
 * there, which is as good. Thread-safe.
 */
public final class OffsetsTopicCreation {

    private static final Logger log = LoggerFactory.getLogger(OffsetsTopicCreation.class);

    /**
     * The topic's settings from the node's configuration.
     *
     * @param defaultMinInsyncReplicas {@code min.insync.replicas}: the topic's too, as in Kafka, unless the
     *                                 replicas it gets are fewer
     */
    public record Settings(int partitions, int replicationFactor, int segmentBytes, int defaultMinInsyncReplicas) {}

    private final Settings settings;
    private final ControllerGateway controllers;
    private final Runnable metadataChanged;
    private final long requestTimeoutMillis;
    private final AtomicBoolean inFlight = new AtomicBoolean();

    /** @param metadataChanged called once the topic exists, so this broker's view catches up soon */
    public OffsetsTopicCreation(
            Settings settings, ControllerGateway controllers, Runnable metadataChanged, long requestTimeoutMillis) {
        this.settings = settings;
        this.controllers = controllers;
        this.metadataChanged = metadataChanged;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    /** Sends the creation unless one is on its way; returns at once. */
    public void request(BrokerMetadata view) {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        CreateTopicRequest request = creation(view);
        controllers
                .call(
                        "create_topic " + OffsetsTopic.NAME,
                        (stub, answer) -> stub.createTopic(request, answer),
                        CreateTopicResponse::getError,
                        requestTimeoutMillis)
                .whenComplete((response, failure) -> {
                    inFlight.set(false);
                    if (failure != null) {
                        log.warn(
                                "Creating {} failed; the next FindCoordinator tries again", OffsetsTopic.NAME, failure);
                        return;
                    }
                    ErrorCode code = response.getError().getCode();
                    if (code == ErrorCode.NONE || code == ErrorCode.TOPIC_ALREADY_EXISTS) {
                        if (code == ErrorCode.NONE) {
                            log.info(
                                    "Created {} with {} partitions and replication factor {}",
                                    OffsetsTopic.NAME,
                                    request.getPartitionCount(),
                                    request.getReplicationFactor());
                        }
                        metadataChanged.run();
                    } else {
                        log.warn(
                                "The controllers refused to create {}: {} {}",
                                OffsetsTopic.NAME,
                                code,
                                response.getError().getMessage());
                    }
                });
    }

    /** The creation request for the cluster as {@code view} shows it. */
    CreateTopicRequest creation(BrokerMetadata view) {
        int live = (int) view.brokers().values().stream()
                .filter(b -> !b.getFenced())
                .map(BrokerRegistration::getBrokerId)
                .count();
        int replicationFactor = settings.replicationFactor();
        if (live > 0 && live < replicationFactor) {
            log.warn(
                    "Creating {} with replication factor {}, the number of live brokers, instead of"
                            + " offsets.topic.replication.factor={}: start more brokers and reassign its partitions"
                            + " for the durability configured",
                    OffsetsTopic.NAME,
                    live,
                    replicationFactor);
            replicationFactor = live;
        }
        Map<String, String> configs = new TreeMap<>();
        configs.put(TopicKeys.CLEANUP_POLICY.name(), "compact");
        configs.put(TopicKeys.SEGMENT_BYTES.name(), Integer.toString(settings.segmentBytes()));
        if (settings.defaultMinInsyncReplicas() > replicationFactor) {
            // Otherwise no commit could ever be acknowledged.
            configs.put(TopicKeys.MIN_INSYNC_REPLICAS.name(), Integer.toString(replicationFactor));
        }
        return CreateTopicRequest.newBuilder()
                .setName(OffsetsTopic.NAME)
                .setPartitionCount(settings.partitions())
                .setReplicationFactor(replicationFactor)
                .putAllConfigs(configs)
                .setIdempotencyKey(UUID.randomUUID().toString())
                .build();
    }
}
