package io.ferry.client;

import com.google.protobuf.ByteString;
import io.ferry.client.internal.AuthenticationFailure;
import io.ferry.client.internal.BatchWalker;
import io.ferry.client.internal.CallDeadline;
import io.ferry.client.internal.Channels;
import io.ferry.client.internal.ClusterView;
import io.ferry.client.internal.GroupAdmin;
import io.ferry.client.internal.GroupCoordinatorCalls;
import io.ferry.client.internal.MetadataManager;
import io.ferry.client.internal.OffsetLookup;
import io.ferry.client.internal.PartitionLeaderCalls;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsResult;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.ClientQuotaAlteration;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteAclsFilterResult;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DeleteRecordsPartition;
import io.ferry.proto.v1.DeleteRecordsPartitionResult;
import io.ferry.proto.v1.DeleteRecordsRequest;
import io.ferry.proto.v1.DeleteRecordsTopic;
import io.ferry.proto.v1.DeleteRecordsTopicResult;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.DescribeClientQuotasEntry;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.DescribeClientQuotasResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.DescribeUserScramCredentialsRequest;
import io.ferry.proto.v1.DescribeUserScramCredentialsResponse;
import io.ferry.proto.v1.DescribeUserScramCredentialsResult;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.ScramCredentialDeletion;
import io.ferry.proto.v1.ScramCredentialInfo;
import io.ferry.proto.v1.ScramCredentialUpsertion;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Administers topics and consumer groups and inspects the cluster. Each topic call is sent to a broker (which forwards admin
 * calls to the controller quorum), moves on to the next broker after a transport failure, retries
 * retriable errors after {@code retry.backoff.ms}, and gives up after {@code default.api.timeout.ms}.
 * Each group call is sent to the group's coordinator (found with FindCoordinator, found again when it
 * moves) and retried while the coordinator loads, within the same timeout.
 * Each call that changes the cluster carries an idempotency key of its own on every attempt, so a retry
 * never does it twice.
 * Failures are {@link FerryException}s carrying the broker's {@link ErrorCode} and message.
 *
 * <p>Thread-safe; calls block the calling thread.
 */
public final class FerryAdmin implements AutoCloseable {

    /** {@link #listOffsets} spec: the log start offset. */
    public static final long EARLIEST = OffsetLookup.EARLIEST;
    /** {@link #listOffsets} spec: the end offset (high watermark). */
    public static final long LATEST = OffsetLookup.LATEST;

    private final AdminConfig config;
    private final Channels channels;
    private final MetadataManager metadata;
    private final OffsetLookup offsets;
    private final PartitionLeaderCalls leaders;
    private final GroupAdmin groups;
    private final List<InetSocketAddress> bootstrap;

    public FerryAdmin(AdminConfig config) {
        this.config = config;
        this.bootstrap = config.bootstrapServers();
        this.channels =
                new Channels(64 * 1024 * 1024, config.channelCredentials(), config.clientId(), config.saslLogin());
        String id = config.clientId().isEmpty() ? "" : "-" + config.clientId();
        this.metadata = new MetadataManager(
                bootstrap,
                channels,
                config.retryBackoffMs(),
                config.requestTimeoutMs(),
                config.metadataMaxAgeMs(),
                "ferry-admin" + id + "-metadata",
                () -> {});
        this.offsets = new OffsetLookup(metadata, channels, config.requestTimeoutMs());
        this.leaders = new PartitionLeaderCalls(metadata, channels, config.requestTimeoutMs());
        this.groups = new GroupAdmin(metadata, channels, new GroupCoordinatorCalls(metadata, bootstrap, channels));
    }

    /**
     * Creates a topic and returns it as created. A {@code partitions} or {@code replicationFactor} of 0 takes
     * the broker's {@code num.partitions} or {@code default.replication.factor}.
     *
     * @throws FerryException with TOPIC_ALREADY_EXISTS, INVALID_TOPIC, INVALID_PARTITIONS,
     *                        INVALID_REPLICATION_FACTOR, ... as the controller answers
     */
    public TopicDescription createTopic(
            String name, int partitions, int replicationFactor, Map<String, String> configs) {
        CreateTopicRequest request = CreateTopicRequest.newBuilder()
                .setName(name)
                .setPartitionCount(partitions)
                .setReplicationFactor(replicationFactor)
                .putAllConfigs(configs)
                .setIdempotencyKey(newKey())
                .build();
        CreateTopicResponse response =
                call("create topic " + name, s -> s.createTopic(request), CreateTopicResponse::getError, Set.of());
        return describe(response.getTopic(), response.getPartitionsList());
    }

    /** Deletes a topic; UNKNOWN_TOPIC when there is none by that name. */
    public void deleteTopic(String name) {
        DeleteTopicRequest request = DeleteTopicRequest.newBuilder()
                .setName(name)
                .setIdempotencyKey(newKey())
                .build();
        call("delete topic " + name, s -> s.deleteTopic(request), r -> r.getError(), Set.of(ErrorCode.UNKNOWN_TOPIC));
    }

    /**
     * Changes a topic's config overrides, as {@code kafka-configs --alter} does: each key in {@code set}
     * takes its value, each key in {@code delete} goes back to the brokers' default, the other overrides
     * stay. Brokers apply the change with their next metadata update.
     *
     * @return the topic's overrides after the change
     * @throws FerryException with UNKNOWN_TOPIC, or INVALID_CONFIG naming a key or value the brokers
     *                        could not apply
     */
    public Map<String, String> alterTopicConfigs(String name, Map<String, String> set, Collection<String> delete) {
        AlterTopicConfigsRequest request = AlterTopicConfigsRequest.newBuilder()
                .setName(name)
                .putAllSet(set)
                .addAllDelete(delete)
                .setIdempotencyKey(newKey())
                .build();
        AlterTopicConfigsResponse response = call(
                "alter configs of topic " + name,
                s -> s.alterTopicConfigs(request),
                AlterTopicConfigsResponse::getError,
                Set.of(ErrorCode.UNKNOWN_TOPIC));
        return Map.copyOf(response.getConfigsMap());
    }

    /**
     * Raises a topic's partition count to {@code count}, as {@code kafka-topics --alter --partitions}
     * does; the new partitions get the topic's replication factor. Records already written stay in their
     * partitions, so a key may map to another partition from now on.
     *
     * @return the topic as the controllers describe it after the change
     * @throws FerryException with UNKNOWN_TOPIC, INVALID_PARTITIONS (a count not above the current one),
     *                        INVALID_REPLICATION_FACTOR (fewer live brokers than the topic's replication factor)
     */
    public TopicDescription createPartitions(String name, int count) {
        CreatePartitionsRequest request = CreatePartitionsRequest.newBuilder()
                .setName(name)
                .setCount(count)
                .setIdempotencyKey(newKey())
                .build();
        call(
                "add partitions to topic " + name,
                s -> s.createPartitions(request),
                CreatePartitionsResponse::getError,
                Set.of(ErrorCode.UNKNOWN_TOPIC));
        return describeTopics(List.of(name)).get(name);
    }

    /**
     * The idempotency key of one call that changes the cluster: every attempt of the call carries it, so the
     * controllers answer a retry whose earlier attempt was done as that attempt was, instead of doing it
     * twice or refusing it (TOPIC_ALREADY_EXISTS after a creation whose answer was lost).
     */
    private static String newKey() {
        return UUID.randomUUID().toString();
    }

    /** Names of every topic, sorted. */
    public Set<String> listTopics() {
        return new TreeSet<>(describeTopics(List.of()).keySet());
    }

    /**
     * Describes the named topics (every topic for an empty collection).
     *
     * @throws FerryException with UNKNOWN_TOPIC (or the broker's code) for the first named topic that failed
     */
    public Map<String, TopicDescription> describeTopics(Collection<String> names) {
        DescribeTopicsRequest request = DescribeTopicsRequest.newBuilder()
                .addAllNames(new LinkedHashSet<>(names))
                .build();
        DescribeTopicsResponse response = call(
                "describe topics " + names,
                s -> s.describeTopics(request),
                r -> firstError(r),
                Set.of(ErrorCode.UNKNOWN_TOPIC, ErrorCode.INVALID_TOPIC));
        Map<String, TopicDescription> out = new LinkedHashMap<>();
        for (io.ferry.proto.v1.TopicDescription d : response.getTopicsList()) {
            out.put(d.getName(), describe(d.getTopic(), d.getPartitionsList()));
        }
        return out;
    }

    private static Error firstError(DescribeTopicsResponse response) {
        for (io.ferry.proto.v1.TopicDescription d : response.getTopicsList()) {
            if (d.hasError() && d.getError().getCode() != ErrorCode.NONE) {
                return d.getError().toBuilder()
                        .setMessage(d.getName() + ": " + d.getError().getMessage())
                        .build();
            }
        }
        return null;
    }

    /** The brokers, the active controller and the metadata version, as the answering broker sees them. */
    public ClusterDescription describeCluster() {
        DescribeClusterResponse response = call(
                "describe cluster",
                s -> s.describeCluster(DescribeClusterRequest.getDefaultInstance()),
                DescribeClusterResponse::getError,
                Set.of());
        List<BrokerInfo> brokers = new ArrayList<>();
        for (BrokerRegistration b : response.getBrokersList()) {
            String host = b.getEndpointsCount() == 0 ? "" : b.getEndpoints(0).getHost();
            int port = b.getEndpointsCount() == 0 ? -1 : b.getEndpoints(0).getPort();
            brokers.add(new BrokerInfo(b.getBrokerId(), host, port, b.getFenced()));
        }
        brokers.sort(Comparator.comparingInt(BrokerInfo::id));
        return new ClusterDescription(
                response.getControllerLeaderId(), List.copyOf(brokers), response.getMetadataVersion());
    }

    /**
     * Offsets per partition for a spec: {@link #EARLIEST}, {@link #LATEST}, or a timestamp (ms since
     * the epoch: the first record at or after it). A null value: no record at or after the timestamp.
     */
    public Map<TopicPartition, OffsetAndTimestamp> listOffsets(Map<TopicPartition, Long> specs) {
        long timeout = config.defaultApiTimeoutMs();
        Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
        offsets.list(specs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout), timeout)
                .forEach((tp, r) -> out.put(
                        tp, r.getOffset() < 0 ? null : new OffsetAndTimestamp(r.getOffset(), r.getTimestamp())));
        return out;
    }

    /**
     * Deletes every record before the given offset of each partition, as Kafka's {@code deleteRecords}:
     * the partition's log start offset moves up to it (-1: the high watermark, every committed record),
     * consumers can no longer read below it, and whole segments below it are removed from disk.
     *
     * @return per partition, its log start offset after the call (the leader's; followers reach it with
     *         their next fetch)
     * @throws FerryException with OFFSET_OUT_OF_RANGE for an offset above the high watermark, UNKNOWN_TOPIC, ...
     */
    public Map<TopicPartition, Long> deleteRecords(Map<TopicPartition, Long> before) {
        long timeout = config.defaultApiTimeoutMs();
        Map<TopicPartition, Long> out = new HashMap<>();
        leaders.call(
                        "delete records of",
                        before,
                        FerryAdmin::deleteRecords,
                        DeleteRecordsPartitionResult::getError,
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout),
                        timeout)
                .forEach((tp, r) -> out.put(tp, r.getLowWatermark()));
        return out;
    }

    private static Map<TopicPartition, DeleteRecordsPartitionResult> deleteRecords(
            BrokerServiceBlockingStub stub, Map<TopicPartition, Long> before) {
        Map<String, DeleteRecordsTopic.Builder> topics = new LinkedHashMap<>();
        before.forEach((tp, offset) -> topics.computeIfAbsent(
                        tp.topic(), t -> DeleteRecordsTopic.newBuilder().setTopic(t))
                .addPartitions(DeleteRecordsPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setOffset(offset)));
        DeleteRecordsRequest.Builder request = DeleteRecordsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        Map<TopicPartition, DeleteRecordsPartitionResult> results = new LinkedHashMap<>();
        for (DeleteRecordsTopicResult topic :
                stub.deleteRecords(request.build()).getTopicsList()) {
            for (DeleteRecordsPartitionResult result : topic.getPartitionsList()) {
                results.put(new TopicPartition(topic.getTopic(), result.getPartition()), result);
            }
        }
        return results;
    }

    /**
     * Reads a partition's batches as its leader stores them, for tools that inspect a log (as
     * {@code kafka-dump-log} does with segment files): whole batches from the one holding {@code offset},
     * below the high watermark, at least one and then as many as fit in {@code maxBytes}. Nothing is
     * decoded; each batch's header is checked and its end found ({@link FetchedBatch}), so corrupt
     * batches are listed rather than failing the call. Continue from
     * {@link FetchedBatches#nextFetchOffset()}.
     *
     * @throws FerryException with OFFSET_OUT_OF_RANGE for an offset outside the log, UNKNOWN_TOPIC, ...
     */
    public FetchedBatches fetchBatches(TopicPartition tp, long offset, int maxBytes) {
        if (offset < 0 || maxBytes < 1) {
            throw new IllegalArgumentException(
                    "offset must be >= 0 and maxBytes >= 1, were " + offset + " and " + maxBytes);
        }
        long timeout = config.defaultApiTimeoutMs();
        FetchPartitionResult result = leaders.call(
                        "fetch batches of",
                        Map.of(tp, offset),
                        (stub, partitions) -> fetch(stub, partitions, maxBytes),
                        FetchPartitionResult::getError,
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout),
                        timeout)
                .get(tp);
        ByteBuffer bytes = result.getRecords().asReadOnlyByteBuffer();
        return new FetchedBatches(
                tp,
                offset,
                result.getHighWatermark(),
                result.getLogStartOffset(),
                bytes,
                BatchWalker.walk(bytes, offset, result.getHighWatermark()));
    }

    /** A Fetch that answers at once (no long poll) with up to {@code maxBytes} per partition. */
    private static Map<TopicPartition, FetchPartitionResult> fetch(
            BrokerServiceBlockingStub stub, Map<TopicPartition, Long> offsets, int maxBytes) {
        Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> topics.computeIfAbsent(
                        tp.topic(), t -> FetchTopic.newBuilder().setTopic(t))
                .addPartitions(FetchPartition.newBuilder()
                        .setPartition(tp.partition())
                        .setFetchOffset(offset)
                        .setPartitionMaxBytes(maxBytes)
                        .setCurrentLeaderEpoch(-1)));
        FetchRequest.Builder request =
                FetchRequest.newBuilder().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(maxBytes);
        topics.values().forEach(request::addTopics);
        Map<TopicPartition, FetchPartitionResult> results = new LinkedHashMap<>();
        for (FetchTopicResult topic : stub.fetch(request.build()).getTopicsList()) {
            for (FetchPartitionResult result : topic.getPartitionsList()) {
                results.put(new TopicPartition(topic.getTopic(), result.getPartition()), result);
            }
        }
        return results;
    }

    /**
     * Every consumer group of the cluster, sorted by id. Each broker lists the groups it coordinates, so all
     * brokers are asked (at once, retriable errors again until {@code default.api.timeout.ms}).
     *
     * @throws PartialGroupListingException when some brokers did not answer: it names each with its error
     *                                      and holds the groups of those that did
     */
    public List<ConsumerGroupListing> listConsumerGroups() {
        return groups.list(groupCallDeadline());
    }

    /**
     * Describes the groups: state, epoch, assignor, and each member with what it owns.
     *
     * @throws FerryException with GROUP_ID_NOT_FOUND for the first group that does not exist
     */
    public Map<String, ConsumerGroupDescription> describeConsumerGroups(Collection<String> groupIds) {
        return groups.describe(groupIds, groupCallDeadline());
    }

    /** The group's committed offsets, of every partition that has one (none for an unknown group). */
    public Map<TopicPartition, OffsetAndMetadata> listConsumerGroupOffsets(String groupId) {
        return groups.offsets(groupId, groupCallDeadline());
    }

    /**
     * Commits offsets for the group from outside it, as Kafka's {@code alterConsumerGroupOffsets}: the
     * group's members would next consume from these offsets.
     *
     * @throws FerryException with UNKNOWN_MEMBER_ID while the group has members (only an empty group's
     *                        offsets can be changed from outside), UNKNOWN_TOPIC, INVALID_COMMIT_OFFSET_SIZE, ...
     */
    public void alterConsumerGroupOffsets(String groupId, Map<TopicPartition, Long> offsets) {
        groups.alterOffsets(groupId, offsets, groupCallDeadline());
    }

    /**
     * Deletes the group's committed offsets of the partitions.
     *
     * @throws FerryException with GROUP_SUBSCRIBED_TO_TOPIC for a topic a member subscribes to,
     *                        GROUP_ID_NOT_FOUND, ...
     */
    public void deleteConsumerGroupOffsets(String groupId, Collection<TopicPartition> partitions) {
        groups.deleteOffsets(groupId, partitions, groupCallDeadline());
    }

    /**
     * Deletes the groups with their committed offsets.
     *
     * @throws FerryException with NON_EMPTY_GROUP for a group with members, GROUP_ID_NOT_FOUND, ...
     */
    public void deleteConsumerGroups(Collection<String> groupIds) {
        groups.delete(groupIds, groupCallDeadline());
    }

    private CallDeadline groupCallDeadline() {
        return CallDeadline.after(config.defaultApiTimeoutMs(), config.retryBackoffMs(), config.requestTimeoutMs());
    }

    private static TopicDescription describe(TopicRecord topic, List<PartitionRecord> partitions) {
        List<PartitionInfo> infos = new ArrayList<>();
        partitions.forEach(p -> infos.add(ClusterView.toInfo(p)));
        infos.sort(Comparator.comparingInt(PartitionInfo::partition));
        return new TopicDescription(
                topic.getName(),
                topic.getTopicId(),
                topic.getReplicationFactor(),
                Map.copyOf(topic.getConfigsMap()),
                List.copyOf(infos));
    }

    /**
     * Creates ACLs (Kafka's {@code Admin.createAcls}); one identical to an existing ACL is not stored twice.
     * Brokers apply them with their next metadata update.
     *
     * @throws FerryException with INVALID_REQUEST naming the first refused binding and its field; the
     *     valid bindings of the call are created all the same, as Kafka's are
     */
    public void createAcls(Collection<AclBinding> bindings) {
        CreateAclsRequest request = CreateAclsRequest.newBuilder()
                .addAllCreations(bindings)
                .setIdempotencyKey(newKey())
                .build();
        CreateAclsResponse response =
                call("create ACLs", s -> s.createAcls(request), CreateAclsResponse::getError, Set.of());
        for (Error result : response.getResultsList()) {
            if (result.getCode() != ErrorCode.NONE) {
                throw new FerryException(result.getCode(), result.getMessage());
            }
        }
    }

    /**
     * Deletes every ACL one of the filters selects (Kafka's {@code Admin.deleteAcls}).
     *
     * @return the ACLs deleted, each once
     * @throws FerryException with INVALID_REQUEST naming the first malformed filter; the other filters'
     *     ACLs are deleted all the same, as Kafka's are
     */
    public List<AclBinding> deleteAcls(Collection<AclBindingFilter> filters) {
        DeleteAclsRequest request = DeleteAclsRequest.newBuilder()
                .addAllFilters(filters)
                .setIdempotencyKey(newKey())
                .build();
        DeleteAclsResponse response =
                call("delete ACLs", s -> s.deleteAcls(request), DeleteAclsResponse::getError, Set.of());
        // An ACL two filters select is reported under both, as Kafka does; it was deleted once.
        Set<AclBinding> deleted = new LinkedHashSet<>();
        for (DeleteAclsFilterResult result : response.getFilterResultsList()) {
            if (result.getError().getCode() != ErrorCode.NONE) {
                throw new FerryException(
                        result.getError().getCode(), result.getError().getMessage());
            }
            deleted.addAll(result.getDeletedList());
        }
        return List.copyOf(deleted);
    }

    /**
     * The ACLs the filter selects (Kafka's {@code Admin.describeAcls}), ordered by resource type, pattern
     * type, resource name, then entry.
     *
     * @throws FerryException with INVALID_REQUEST for a malformed filter
     */
    public List<AclBinding> describeAcls(AclBindingFilter filter) {
        DescribeAclsRequest request =
                DescribeAclsRequest.newBuilder().setFilter(filter).build();
        return call("describe ACLs", s -> s.describeAcls(request), DescribeAclsResponse::getError, Set.of())
                .getAclsList();
    }

    /**
     * Creates or replaces {@code user}'s SCRAM credential (Kafka's {@code Admin.alterUserScramCredentials} with
     * an upsertion). As Kafka's admin, this client makes a random salt and salts the password itself: only the
     * salt and the salted password leave it, never the password. Brokers verify with the new credential from
     * their next metadata update.
     *
     * @param iterations {@link ScramMechanism#MIN_ITERATIONS} to {@link ScramMechanism#MAX_ITERATIONS}
     * @throws FerryException UNACCEPTABLE_CREDENTIAL (an empty or too long name, iterations out of bounds),
     *     UNSUPPORTED_SASL_MECHANISM, CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster
     */
    public void upsertUserScramCredential(String user, ScramMechanism mechanism, int iterations, String password) {
        byte[] salt = ScramFunctions.newSalt();
        byte[] saltedPassword = new ScramFunctions(mechanism).saltedPassword(password, salt, iterations);
        alterUserScramCredentials(AlterUserScramCredentialsRequest.newBuilder()
                .addUpsertions(ScramCredentialUpsertion.newBuilder()
                        .setName(user)
                        .setMechanism(mechanism.mechanismName())
                        .setIterations(iterations)
                        .setSalt(ByteString.copyFrom(salt))
                        .setSaltedPassword(ByteString.copyFrom(saltedPassword)))
                .build());
    }

    /**
     * Deletes {@code user}'s SCRAM credential for {@code mechanism} (Kafka's
     * {@code Admin.alterUserScramCredentials} with a deletion).
     *
     * @throws FerryException RESOURCE_NOT_FOUND when the user has no such credential
     */
    public void deleteUserScramCredential(String user, ScramMechanism mechanism) {
        alterUserScramCredentials(AlterUserScramCredentialsRequest.newBuilder()
                .addDeletions(
                        ScramCredentialDeletion.newBuilder().setName(user).setMechanism(mechanism.mechanismName()))
                .build());
    }

    private void alterUserScramCredentials(AlterUserScramCredentialsRequest request) {
        AlterUserScramCredentialsResponse response = call(
                "alter SCRAM credentials",
                s -> s.alterUserScramCredentials(request),
                AlterUserScramCredentialsResponse::getError,
                Set.of());
        for (AlterUserScramCredentialsResult result : response.getResultsList()) {
            if (result.getError().getCode() != ErrorCode.NONE) {
                throw new FerryException(
                        result.getError().getCode(),
                        "user '" + result.getUser() + "': " + result.getError().getMessage());
            }
        }
    }

    /**
     * The mechanisms and iterations of the SCRAM credentials of {@code users} (Kafka's
     * {@code Admin.describeUserScramCredentials}), by user name; no users: every user that has one. Never a
     * salt or key.
     *
     * @throws FerryException RESOURCE_NOT_FOUND for a named user without credential
     */
    public Map<String, List<ScramCredentialInfo>> describeUserScramCredentials(Collection<String> users) {
        DescribeUserScramCredentialsRequest request = DescribeUserScramCredentialsRequest.newBuilder()
                .addAllUsers(users)
                .build();
        DescribeUserScramCredentialsResponse response = call(
                "describe SCRAM credentials",
                s -> s.describeUserScramCredentials(request),
                DescribeUserScramCredentialsResponse::getError,
                Set.of());
        Map<String, List<ScramCredentialInfo>> described = new LinkedHashMap<>();
        for (DescribeUserScramCredentialsResult result : response.getResultsList()) {
            if (result.getError().getCode() != ErrorCode.NONE) {
                throw new FerryException(
                        result.getError().getCode(),
                        "user '" + result.getUser() + "': " + result.getError().getMessage());
            }
            described.put(result.getUser(), List.copyOf(result.getCredentialInfosList()));
        }
        return described;
    }

    /**
     * Sets or removes client quotas (Kafka's {@code Admin.alterClientQuotas}); brokers enforce them with
     * their next metadata update.
     *
     * @param validateOnly checks every entry and changes nothing
     * @throws FerryException with INVALID_REQUEST naming the first refused entry and its field; the valid
     *     entries of the call are applied all the same, as Kafka's are
     */
    public void alterClientQuotas(Collection<ClientQuotaAlteration> entries, boolean validateOnly) {
        AlterClientQuotasRequest request = AlterClientQuotasRequest.newBuilder()
                .addAllEntries(entries)
                .setValidateOnly(validateOnly)
                .setIdempotencyKey(newKey())
                .build();
        AlterClientQuotasResponse response = call(
                "alter client quotas",
                s -> s.alterClientQuotas(request),
                AlterClientQuotasResponse::getError,
                Set.of());
        for (Error result : response.getResultsList()) {
            if (result.getCode() != ErrorCode.NONE) {
                throw new FerryException(result.getCode(), result.getMessage());
            }
        }
    }

    /**
     * The quotas of the entities the filter selects (Kafka's {@code Admin.describeClientQuotas}), ordered
     * by entity.
     *
     * @throws FerryException with INVALID_REQUEST for a malformed filter
     */
    public List<DescribeClientQuotasEntry> describeClientQuotas(DescribeClientQuotasRequest filter) {
        return call(
                        "describe client quotas",
                        s -> s.describeClientQuotas(filter),
                        DescribeClientQuotasResponse::getError,
                        Set.of())
                .getEntriesList();
    }

    /**
     * Calls brokers in turn until one answers without a retriable error.
     *
     * @param finalCodes codes that answer the question, so are not retried even if retriable in general
     */
    private <T> T call(
            String what,
            Function<BrokerServiceBlockingStub, T> rpc,
            Function<T, Error> errorOf,
            Set<ErrorCode> finalCodes) {
        long timeoutMs = config.defaultApiTimeoutMs();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<InetSocketAddress> nodes = new ArrayList<>(new LinkedHashSet<>(bootstrap));
        FerryException last = null;
        for (int attempt = 0; ; attempt++) {
            InetSocketAddress node = nodes.get(attempt % nodes.size());
            long remaining = deadline - System.nanoTime();
            try {
                T response = rpc.apply(BrokerServiceGrpc.newBlockingStub(channels.get(node))
                        .withDeadlineAfter(
                                Math.max(
                                        1,
                                        Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()))),
                                TimeUnit.NANOSECONDS));
                Error error = errorOf.apply(response);
                if (error == null || error.getCode() == ErrorCode.NONE) {
                    return response;
                }
                FerryException e = new FerryException(error.getCode(), error.getMessage());
                if (!e.retriable() || finalCodes.contains(error.getCode())) {
                    throw e;
                }
                last = e;
            } catch (StatusRuntimeException e) {
                if (AuthenticationFailure.causedBy(e)) {
                    throw new FerryException(
                            ErrorCode.SASL_AUTHENTICATION_FAILED,
                            what + ": " + e.getStatus().getDescription());
                }
                if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
                        && last != null
                        && deadline - System.nanoTime() <= 0) {
                    // Our own overall deadline cut the attempt short: the earlier error says more.
                    throw timeout(what, timeoutMs, last);
                }
                last = new FerryTransportException(
                        what + ": broker " + node.getHostString() + ":" + node.getPort() + " failed: " + e.getStatus(),
                        e);
            }
            // Stop when the backoff would use up the time left: a last attempt with no time to answer
            // would only hide the real error behind DEADLINE_EXCEEDED.
            if (deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs() + 1)) {
                throw timeout(what, timeoutMs, last);
            }
            try {
                Thread.sleep(config.retryBackoffMs()); // retry pacing, not waiting for a condition
            } catch (InterruptedException e) {
                throw new FerryInterruptedException("interrupted during " + what, e);
            }
        }
    }

    private static FerryTimeoutException timeout(String what, long timeoutMs, FerryException last) {
        return new FerryTimeoutException(
                what + " did not succeed within default.api.timeout.ms (" + timeoutMs + " ms); last error: "
                        + last.getMessage(),
                last);
    }

    @Override
    public void close() {
        metadata.close();
        channels.close();
    }
}
