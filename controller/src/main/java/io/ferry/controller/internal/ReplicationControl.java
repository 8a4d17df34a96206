package io.ferry.controller.internal;

import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CreatePartitionsRecord;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteTopicRecord;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicConfigChangeRecord;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.proto.v1.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Topics and partitions, the active controller's half that Kafka's {@code ReplicationControlManager} holds:
 * creating and deleting topics, their config overrides and partition counts, replica placement, ISR changes
 * from partition leaders, preferred-leader elections. Decides purely from the committed
 * {@link MetadataState} and the liveness {@link ClusterControl} reports; the active controller commits what
 * it decides. Non-determinism (topic ids, placement) is resolved here, before anything is proposed.
 *
 * <p>Not thread-safe: the active controller's event thread calls it.
 */
final class ReplicationControl {

    private final MetadataState state;
    private final ClusterControl cluster;
    private final LeadershipDecisions decisions;

    ReplicationControl(MetadataState state, ClusterControl cluster, LeadershipDecisions decisions) {
        this.state = state;
        this.cluster = cluster;
        this.decisions = decisions;
    }

    /** A topic by name as committed, or why there is none (INVALID_TOPIC, UNKNOWN_TOPIC). */
    private record Existing(TopicRecord topic, Error error) {
        boolean found() {
            return topic != null;
        }
    }

    private Existing existing(String name) {
        Error invalid = TopicValidation.checkName(name);
        if (!Errors.isOk(invalid)) {
            return new Existing(null, invalid);
        }
        Optional<TopicRecord> topic = state.topic(name);
        return topic.isPresent()
                ? new Existing(topic.get(), Errors.NONE)
                : new Existing(null, Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + name + " does not exist"));
    }

    /** The named topics (every topic when none is named) as committed; a name never created is UNKNOWN_TOPIC. */
    DescribeTopicsResponse describeTopics(DescribeTopicsRequest request) {
        DescribeTopicsResponse.Builder b = DescribeTopicsResponse.newBuilder();
        List<String> names = new ArrayList<>(request.getNamesList());
        if (names.isEmpty()) {
            state.topics().forEach(t -> names.add(t.getName()));
        }
        for (String name : names) {
            Existing topic = existing(name);
            TopicDescription.Builder d =
                    TopicDescription.newBuilder().setName(name).setError(topic.error());
            if (topic.found()) {
                d.setTopic(topic.topic()).addAllPartitions(state.partitions(name));
            }
            b.addTopics(d);
        }
        return b.setMetadataVersion(state.version()).build();
    }

    ControllerResult<CreateTopicResponse> createTopic(CreateTopicRequest req) {
        Error invalid = TopicValidation.checkCreate(req);
        if (!Errors.isOk(invalid)) {
            return ControllerResult.atOnce(
                    CreateTopicResponse.newBuilder().setError(invalid).build());
        }
        if (state.topic(req.getName()).isPresent()) {
            return ControllerResult.atOnce(CreateTopicResponse.newBuilder()
                    .setError(Errors.of(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + req.getName() + " already exists"))
                    .build());
        }
        List<Integer> live = cluster.placeableBrokers();
        Error tooFew = placeable(req.getReplicationFactor(), live);
        if (!Errors.isOk(tooFew)) {
            return ControllerResult.atOnce(
                    CreateTopicResponse.newBuilder().setError(tooFew).build());
        }
        TopicRecord topic = TopicRecord.newBuilder()
                .setName(req.getName())
                .setTopicId(UUID.randomUUID().toString())
                .setPartitionCount(req.getPartitionCount())
                .setReplicationFactor(req.getReplicationFactor())
                .putAllConfigs(req.getConfigsMap())
                .build();
        CreateTopicRecord record = CreateTopicRecord.newBuilder()
                .setTopic(topic)
                .addAllPartitions(placed(topic, 0, req.getPartitionCount(), live))
                .build();
        return new ControllerResult<>(
                List.of(MetadataRecord.newBuilder().setCreateTopic(record).build()),
                CreateTopicResponse.newBuilder()
                        .setError(Errors.NONE)
                        .setTopic(topic)
                        .addAllPartitions(record.getPartitionsList())
                        .build());
    }

    private static Error placeable(int replicationFactor, List<Integer> live) {
        return replicationFactor <= live.size()
                ? Errors.NONE
                : Errors.of(
                        ErrorCode.INVALID_REPLICATION_FACTOR,
                        "replication factor " + replicationFactor + " is larger than the number of live brokers ("
                                + live.size() + ": " + live + ")");
    }

    /** Partitions {@code first} to {@code first + count - 1} of {@code topic}, placed on {@code live} brokers. */
    private List<PartitionRecord> placed(TopicRecord topic, int first, int count, List<Integer> live) {
        List<List<Integer>> placement =
                ReplicaPlacer.place(live, state.replicaAndLeaderCounts(), count, topic.getReplicationFactor());
        List<PartitionRecord> partitions = new ArrayList<>();
        for (int i = 0; i < placement.size(); i++) {
            List<Integer> replicas = placement.get(i);
            partitions.add(PartitionRecord.newBuilder()
                    .setTopic(topic.getName())
                    .setTopicId(topic.getTopicId())
                    .setPartition(first + i)
                    .addAllReplicas(replicas)
                    .addAllIsr(replicas)
                    .setLeader(replicas.get(0))
                    .build());
        }
        return partitions;
    }

    ControllerResult<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest req) {
        Existing topic = existing(req.getName());
        Error error = topic.error();
        int current = topic.found() ? topic.topic().getPartitionCount() : 0;
        if (Errors.isOk(error) && (req.getCount() <= current || req.getCount() > TopicValidation.MAX_PARTITIONS)) {
            error = Errors.of(
                    ErrorCode.INVALID_PARTITIONS,
                    "topic " + req.getName() + " has " + current
                            + " partition(s); the new count must be above that and at most "
                            + TopicValidation.MAX_PARTITIONS
                            + ", got " + req.getCount());
        }
        List<Integer> live = cluster.placeableBrokers();
        if (Errors.isOk(error)) {
            error = placeable(topic.topic().getReplicationFactor(), live);
        }
        if (!Errors.isOk(error)) {
            return ControllerResult.atOnce(
                    CreatePartitionsResponse.newBuilder().setError(error).build());
        }
        List<PartitionRecord> added = placed(topic.topic(), current, req.getCount() - current, live);
        return new ControllerResult<>(
                List.of(MetadataRecord.newBuilder()
                        .setCreatePartitions(CreatePartitionsRecord.newBuilder()
                                .setName(req.getName())
                                .setTopicId(topic.topic().getTopicId())
                                .addAllPartitions(added))
                        .build()),
                CreatePartitionsResponse.newBuilder()
                        .setError(Errors.NONE)
                        .addAllPartitions(added)
                        .build());
    }

    ControllerResult<DeleteTopicResponse> deleteTopic(DeleteTopicRequest req) {
        Existing topic = existing(req.getName());
        if (!topic.found()) {
            return ControllerResult.atOnce(
                    DeleteTopicResponse.newBuilder().setError(topic.error()).build());
        }
        return new ControllerResult<>(
                List.of(MetadataRecord.newBuilder()
                        .setDeleteTopic(DeleteTopicRecord.newBuilder()
                                .setName(req.getName())
                                .setTopicId(topic.topic().getTopicId()))
                        .build()),
                DeleteTopicResponse.newBuilder().setError(Errors.NONE).build());
    }

    /**
     * The topic's overrides with {@code set} applied and {@code delete} removed. Keys and values are the
     * receiving broker's to check (as at creation: the controller does not know the brokers' settings),
     * except that a {@code min.insync.replicas} set must be reachable with the topic's replicas.
     */
    ControllerResult<AlterTopicConfigsResponse> alterTopicConfigs(AlterTopicConfigsRequest req) {
        Existing topic = existing(req.getName());
        Error error = topic.error();
        for (String key : req.getDeleteList()) {
            if (Errors.isOk(error) && req.getSetMap().containsKey(key)) {
                error = Errors.of(ErrorCode.INVALID_CONFIG, key + " is both set and deleted");
            }
        }
        Map<String, String> configs =
                new TreeMap<>(topic.found() ? topic.topic().getConfigsMap() : Map.of());
        configs.putAll(req.getSetMap());
        req.getDeleteList().forEach(configs::remove);
        if (Errors.isOk(error)) {
            error = TopicValidation.checkConfigs(configs);
        }
        if (Errors.isOk(error) && req.getSetMap().containsKey(TopicValidation.MIN_INSYNC_REPLICAS)) {
            error = TopicValidation.checkMinInsyncReplicas(
                    configs, topic.topic().getReplicationFactor());
        }
        if (!Errors.isOk(error)) {
            return ControllerResult.atOnce(
                    AlterTopicConfigsResponse.newBuilder().setError(error).build());
        }
        return new ControllerResult<>(
                List.of(MetadataRecord.newBuilder()
                        .setTopicConfigChange(TopicConfigChangeRecord.newBuilder()
                                .setName(req.getName())
                                .setTopicId(topic.topic().getTopicId())
                                .putAllConfigs(configs))
                        .build()),
                AlterTopicConfigsResponse.newBuilder()
                        .setError(Errors.NONE)
                        .putAllConfigs(configs)
                        .build());
    }

    /** What a batch of ISR changes must pass as a whole: the sender's registration, the batch's bounds. */
    Error checkIsrChanges(AlterPartitionRequest req) {
        Error error =
                RequestChecks.incarnation(state.broker(req.getBrokerId()), req.getBrokerId(), req.getIncarnationId());
        return Errors.isOk(error) ? RequestChecks.isrChanges(req) : error;
    }

    /**
     * An ISR change from the partition's leader, checked against the committed partition (compare-and-set).
     * The broker is registered: {@link #checkIsrChanges} passed.
     */
    ControllerResult<PartitionIsrResult> alterPartition(int brokerId, PartitionIsrChange req) {
        BrokerRegistration broker = state.broker(brokerId).orElseThrow();
        Optional<PartitionRecord> current = state.partition(req.getTopic(), req.getPartition());
        Error error = RequestChecks.alterPartition(
                brokerId, req, state.topic(req.getTopic()).isPresent(), current, broker, cluster.alive());
        if (!Errors.isOk(error)) {
            PartitionIsrResult.Builder b = PartitionIsrResult.newBuilder().setError(error);
            current.ifPresent(b::setPartition);
            return ControllerResult.atOnce(b.build());
        }
        Optional<PartitionChangeRecord> change = new PartitionChangeBuilder(current.get(), cluster.alive())
                .targetIsr(req.getNewIsrList())
                .build();
        if (change.isEmpty()) {
            return ControllerResult.atOnce(PartitionIsrResult.newBuilder()
                    .setError(Errors.NONE)
                    .setPartition(current.get())
                    .build());
        }
        return new ControllerResult<>(
                List.of(MetadataRecord.newBuilder()
                        .setPartitionChange(change.get())
                        .build()),
                PartitionIsrResult.newBuilder()
                        .setError(Errors.NONE)
                        .setPartition(change.get().getPartition())
                        .build());
    }

    /** Leadership back to each partition's first replica wherever it is alive and in the ISR. */
    List<MetadataRecord> preferredLeaders() {
        return decisions.preferredLeaders(cluster.alive());
    }
}
