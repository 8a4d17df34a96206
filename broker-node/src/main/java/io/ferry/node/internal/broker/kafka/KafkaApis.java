package io.ferry.node.internal.broker.kafka;

import io.ferry.group.ClassicMember;
import io.ferry.node.internal.broker.handler.BrokerGrpcService;
import io.ferry.node.internal.broker.handler.GroupGrpcService;
import io.ferry.node.internal.broker.handler.OffsetForLeaderEpochHandler;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.AclBindingFilter;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DeleteGroupsRequest;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DeleteRecordsResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeGroupsRequest;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.ListGroupsRequest;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.OffsetFetchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Serves each Kafka API the listener offers ({@link SupportedApis}) by translating the request into Ferry's,
 * handing it to the broker's own service, the one the gRPC port runs, and translating the answer back. Called
 * on the connection's network thread, inside a gRPC {@link io.grpc.Context} that carries the caller (its
 * connection, principal and client id) as the gRPC port's calls do. Thread-safe.
 */
final class KafkaApis {

    /** FindCoordinator's key types (Kafka's {@code CoordinatorType}): only groups have coordinators here. */
    private static final byte GROUP_KEY = 0;

    /** DescribeCluster's endpoint type of brokers (Kafka's {@code EndpointType.BROKER}). */
    private static final byte BROKER_ENDPOINTS = 1;

    private final int brokerId;
    private final BrokerGrpcService broker;
    private final GroupGrpcService groups;
    private final Supplier<BrokerMetadata> metadata;
    private final TopicIds topicIds;
    private final ClassicSessionTimeouts sessionTimeouts;
    private final KafkaFetchSessions fetchSessions = new KafkaFetchSessions();

    KafkaApis(
            int brokerId,
            BrokerGrpcService broker,
            GroupGrpcService groups,
            Supplier<BrokerMetadata> metadata,
            ClassicSessionTimeouts sessionTimeouts) {
        this.brokerId = brokerId;
        this.broker = broker;
        this.groups = groups;
        this.metadata = metadata;
        this.topicIds = new TopicIds(metadata);
        this.sessionTimeouts = sessionTimeouts;
    }

    /**
     * The answer to {@code request}, an API and version {@link SupportedApis} serves.
     *
     * @param release gives back the buffer {@code request} was read from; a Produce hands it to the log path,
     *                which runs it when the log is done with its record slices, every other API runs it here
     */
    CompletableFuture<Answer> handle(ApiKeys api, short version, ApiMessage request, Runnable release) {
        if (api == ApiKeys.PRODUCE) {
            return produce((ProduceRequestData) request, release);
        }
        release.run();
        return switch (api) {
            case API_VERSIONS -> CompletableFuture.completedFuture(Answer.of(SupportedApis.apiVersions(true)));
            case METADATA -> metadata((MetadataRequestData) request);
            case FETCH -> fetch((FetchRequestData) request, version);
            case LIST_OFFSETS -> listOffsets((ListOffsetsRequestData) request, version);
            case OFFSET_FOR_LEADER_EPOCH -> offsetForLeaderEpoch((OffsetForLeaderEpochRequestData) request);
            case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequestData) request);
            case FIND_COORDINATOR -> findCoordinator((FindCoordinatorRequestData) request, version);
            case CONSUMER_GROUP_HEARTBEAT -> heartbeat((ConsumerGroupHeartbeatRequestData) request);
            case JOIN_GROUP -> joinGroup((JoinGroupRequestData) request, version);
            case SYNC_GROUP -> syncGroup((SyncGroupRequestData) request);
            case HEARTBEAT -> classicHeartbeat((HeartbeatRequestData) request);
            case LEAVE_GROUP -> leaveGroup((LeaveGroupRequestData) request, version);
            case DESCRIBE_GROUPS -> describeClassicGroups((DescribeGroupsRequestData) request);
            case OFFSET_COMMIT -> offsetCommit((OffsetCommitRequestData) request);
            case OFFSET_FETCH -> offsetFetch((OffsetFetchRequestData) request, version);
            case LIST_GROUPS -> listGroups((ListGroupsRequestData) request);
            case CONSUMER_GROUP_DESCRIBE -> describeGroups((ConsumerGroupDescribeRequestData) request);
            case DELETE_GROUPS -> deleteGroups((DeleteGroupsRequestData) request);
            case OFFSET_DELETE -> offsetDelete((OffsetDeleteRequestData) request);
            case CREATE_TOPICS -> createTopics((CreateTopicsRequestData) request);
            case DELETE_TOPICS -> deleteTopics((DeleteTopicsRequestData) request, version);
            case CREATE_PARTITIONS -> createPartitions((CreatePartitionsRequestData) request);
            case DESCRIBE_CONFIGS -> describeConfigs((DescribeConfigsRequestData) request);
            case INCREMENTAL_ALTER_CONFIGS -> alterConfigs((IncrementalAlterConfigsRequestData) request);
            case DELETE_RECORDS -> deleteRecords((DeleteRecordsRequestData) request);
            case DESCRIBE_CLUSTER -> describeCluster((DescribeClusterRequestData) request, version);
            case CREATE_ACLS -> createAcls((CreateAclsRequestData) request);
            case DESCRIBE_ACLS -> describeAcls((DescribeAclsRequestData) request);
            case DELETE_ACLS -> deleteAcls((DeleteAclsRequestData) request);
            default -> throw new IllegalArgumentException("the Kafka listener does not serve " + api);
        };
    }

    private CompletableFuture<Answer> produce(ProduceRequestData kafka, Runnable release) {
        Acks acks = KafkaProduce.acks(kafka.acks());
        if (acks == null || kafka.transactionalId() != null) {
            release.run();
            return CompletableFuture.completedFuture(Answer.of(
                    acks == null
                            ? KafkaProduce.refused(
                                    kafka,
                                    Errors.INVALID_REQUIRED_ACKS,
                                    "acks is " + kafka.acks() + "; it must be -1 (all), 0 or 1")
                            : KafkaProduce.refused(
                                    kafka,
                                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                                    "Ferry has no transactions: produce without transactional.id")));
        }
        GrpcReply<io.ferry.proto.v1.ProduceResponse> reply = new GrpcReply<>();
        broker.produce(KafkaProduce.request(kafka, acks, release), reply);
        // The produce path gives the buffer back once the log is done with it; one that failed may not have.
        reply.answer().whenComplete((response, failure) -> {
            if (failure != null) {
                release.run();
            }
        });
        if (acks == Acks.ACKS_NONE) {
            // Kafka's producer with acks=0 reads no answer; the append goes on all the same.
            return CompletableFuture.completedFuture(Answer.NONE);
        }
        return reply.answer().thenApply(response -> Answer.of(KafkaProduce.response(response)));
    }

    private CompletableFuture<Answer> metadata(MetadataRequestData kafka) {
        GrpcReply<io.ferry.proto.v1.MetadataResponse> reply = new GrpcReply<>();
        broker.metadata(KafkaMetadata.request(kafka), reply);
        return answered(reply, response -> KafkaMetadata.response(kafka, response, brokerId));
    }

    private CompletableFuture<Answer> fetch(FetchRequestData kafka, short version) {
        // Sessions came with version 7; an older request has no session fields, so it is always full.
        KafkaFetchSessions.Plan plan = fetchSessions.plan(
                version >= 7
                        ? kafka
                        : kafka.duplicate().setSessionId(KafkaFetch.NO_SESSION).setSessionEpoch(-1));
        if (plan.error() != null) {
            return CompletableFuture.completedFuture(Answer.of(KafkaFetch.refused(plan.error())));
        }
        GrpcReply<io.ferry.proto.v1.FetchResponse> reply = new GrpcReply<>();
        broker.fetch(KafkaFetch.request(kafka, plan), reply);
        reply.answer().whenComplete((response, failure) -> {
            if (failure != null) {
                reply.ended();
            }
        });
        return reply.answer()
                .thenApply(response -> new Answer(KafkaFetch.response(response, plan, fetchSessions), reply::ended));
    }

    private CompletableFuture<Answer> offsetForLeaderEpoch(OffsetForLeaderEpochRequestData kafka) {
        List<OffsetForLeaderEpochHandler.Query> queries = new ArrayList<>();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : kafka.topics()) {
            topic.partitions()
                    .forEach(p -> queries.add(new OffsetForLeaderEpochHandler.Query(
                            topic.topic(), p.partition(), p.currentLeaderEpoch(), p.leaderEpoch())));
        }
        List<OffsetForLeaderEpochHandler.Answer> answers = broker.offsetForLeaderEpoch(queries);
        OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResultCollection topics =
                new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResultCollection();
        int index = 0;
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : kafka.topics()) {
            List<OffsetForLeaderEpochResponseData.EpochEndOffset> partitions = new ArrayList<>();
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                OffsetForLeaderEpochHandler.Answer answer = answers.get(index++);
                partitions.add(new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(p.partition())
                        .setErrorCode(KafkaErrors.of(answer.error()).code())
                        .setLeaderEpoch(answer.leaderEpoch())
                        .setEndOffset(answer.endOffset()));
            }
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult existing = topics.find(topic.topic());
            if (existing != null) {
                existing.partitions().addAll(partitions);
            } else {
                topics.add(new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult()
                        .setTopic(topic.topic())
                        .setPartitions(partitions));
            }
        }
        return CompletableFuture.completedFuture(Answer.of(new OffsetForLeaderEpochResponseData().setTopics(topics)));
    }

    private CompletableFuture<Answer> listOffsets(ListOffsetsRequestData kafka, short version) {
        GrpcReply<io.ferry.proto.v1.ListOffsetsResponse> reply = new GrpcReply<>();
        broker.listOffsets(KafkaListOffsets.request(kafka), reply);
        return answered(reply, response -> KafkaListOffsets.response(response, version));
    }

    private CompletableFuture<Answer> initProducerId(InitProducerIdRequestData kafka) {
        if (kafka.transactionalId() != null) {
            return CompletableFuture.completedFuture(Answer.of(new InitProducerIdResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1)));
        }
        GrpcReply<InitProducerIdResponse> reply = new GrpcReply<>();
        broker.initProducerId(InitProducerIdRequest.newBuilder().build(), reply);
        return answered(
                reply,
                response -> new InitProducerIdResponseData()
                        .setErrorCode(KafkaErrors.of(response.getError()).code())
                        .setProducerId(response.getProducerId())
                        .setProducerEpoch((short) response.getProducerEpoch()));
    }

    /**
     * The coordinator of each group named: the broker Ferry's FindCoordinator names, at its Kafka listener.
     * Versions before 4 name one key and answer at the top level; later ones a list.
     */
    private CompletableFuture<Answer> findCoordinator(FindCoordinatorRequestData kafka, short version) {
        List<String> keys = version < 4 ? List.of(kafka.key()) : kafka.coordinatorKeys();
        List<CompletableFuture<FindCoordinatorResponseData.Coordinator>> found = new ArrayList<>();
        for (String key : keys) {
            if (kafka.keyType() != GROUP_KEY) {
                found.add(CompletableFuture.completedFuture(new FindCoordinatorResponseData.Coordinator()
                        .setKey(key)
                        .setNodeId(-1)
                        .setHost("")
                        .setPort(-1)
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Ferry coordinates consumer groups only (key type 0), not key type "
                                + kafka.keyType())));
                continue;
            }
            GrpcReply<FindCoordinatorResponse> reply = new GrpcReply<>();
            groups.findCoordinator(
                    FindCoordinatorRequest.newBuilder().setGroupId(key).build(), reply);
            found.add(reply.answer().thenApply(response -> coordinator(key, response)));
        }
        return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new)).thenApply(all -> {
            List<FindCoordinatorResponseData.Coordinator> coordinators =
                    found.stream().map(CompletableFuture::join).toList();
            if (version >= 4) {
                return Answer.of(new FindCoordinatorResponseData().setCoordinators(coordinators));
            }
            FindCoordinatorResponseData.Coordinator only = coordinators.get(0);
            return Answer.of(new FindCoordinatorResponseData()
                    .setErrorCode(only.errorCode())
                    .setErrorMessage(only.errorMessage())
                    .setNodeId(only.nodeId())
                    .setHost(only.host())
                    .setPort(only.port()));
        });
    }

    private FindCoordinatorResponseData.Coordinator coordinator(String key, FindCoordinatorResponse ferry) {
        FindCoordinatorResponseData.Coordinator coordinator = new FindCoordinatorResponseData.Coordinator()
                .setKey(key)
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
        Errors error = KafkaErrors.of(ferry.getError());
        if (error != Errors.NONE) {
            return coordinator
                    .setErrorCode(error.code())
                    .setErrorMessage(ferry.getError().getMessage());
        }
        BrokerRegistration broker = metadata.get().brokers().get(ferry.getNodeId());
        Optional<Endpoint> endpoint = broker == null
                ? Optional.empty()
                : broker.getEndpointsList().stream()
                        .filter(e -> e.getName().equals(KafkaListener.ENDPOINT))
                        .findFirst();
        if (endpoint.isEmpty()) {
            return coordinator
                    .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage("the coordinator, broker " + ferry.getNodeId() + ", has no Kafka listener");
        }
        return coordinator
                .setNodeId(ferry.getNodeId())
                .setHost(endpoint.get().getHost())
                .setPort(endpoint.get().getPort());
    }

    private CompletableFuture<Answer> heartbeat(ConsumerGroupHeartbeatRequestData kafka) {
        GrpcReply<ConsumerGroupHeartbeatResponse> reply = new GrpcReply<>();
        groups.consumerGroupHeartbeat(KafkaGroups.heartbeat(kafka, topicIds), reply);
        return answered(reply, response -> KafkaGroups.heartbeat(response, topicIds));
    }

    /**
     * A classic member's JoinGroup ({@link KafkaClassicGroups}): a session timeout outside the configured bounds
     * is refused, as Kafka does before anything else of the group; a new dynamic member is first given its id
     * (MEMBER_ID_REQUIRED) from version 4, as Kafka does, or joins with it at once before that.
     */
    private CompletableFuture<Answer> joinGroup(JoinGroupRequestData kafka, short version) {
        Optional<String> badTimeout = sessionTimeouts.problem(kafka.sessionTimeoutMs());
        if (badTimeout.isPresent()) {
            return CompletableFuture.completedFuture(Answer.of(KafkaClassicGroups.refusedJoin(
                    kafka.memberId(), Errors.INVALID_SESSION_TIMEOUT, badTimeout.get())));
        }
        Optional<String> unsupported = KafkaClassicGroups.unsupported(kafka);
        if (unsupported.isPresent()) {
            return CompletableFuture.completedFuture(Answer.of(KafkaClassicGroups.refusedJoin(
                    kafka.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL, unsupported.get())));
        }
        if (KafkaClassicGroups.needsMemberId(kafka, version)) {
            return CompletableFuture.completedFuture(Answer.of(
                    KafkaClassicGroups.refusedJoin(KafkaClassicGroups.newMemberId(), Errors.MEMBER_ID_REQUIRED, null)));
        }
        String memberId = kafka.memberId().isEmpty() ? KafkaClassicGroups.newMemberId() : kafka.memberId();
        ConsumerGroupHeartbeatRequest join;
        try {
            join = KafkaClassicGroups.join(kafka, memberId);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Answer.of(KafkaClassicGroups.refusedJoin(
                    memberId,
                    Errors.INVALID_REQUEST,
                    "the protocol metadata is not a consumer protocol subscription: " + e.getMessage())));
        }
        return groups.classicJoin(join, kafka.sessionTimeoutMs())
                .thenApply(response -> Answer.of(KafkaClassicGroups.joined(kafka, memberId, response)));
    }

    private CompletableFuture<Answer> syncGroup(SyncGroupRequestData kafka) {
        Optional<String> unsupported = KafkaClassicGroups.unsupported(kafka);
        if (unsupported.isPresent()) {
            return CompletableFuture.completedFuture(Answer.of(new SyncGroupResponseData()
                    .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code())
                    .setAssignment(new byte[0])));
        }
        return groups.classicSync(new ClassicMember(
                        kafka.groupId(), kafka.memberId(), kafka.groupInstanceId(), kafka.generationId()))
                .thenApply(response -> Answer.of(KafkaClassicGroups.synced(kafka, response)));
    }

    private CompletableFuture<Answer> classicHeartbeat(HeartbeatRequestData kafka) {
        return groups.classicHeartbeat(new ClassicMember(
                        kafka.groupId(), kafka.memberId(), kafka.groupInstanceId(), kafka.generationId()))
                .thenApply(response -> Answer.of(new HeartbeatResponseData()
                        .setErrorCode(KafkaErrors.of(response.getError()).code())));
    }

    /**
     * Each member leaves ({@link io.ferry.group.CoordinatorShard#classicLeave}), named by its id or, from
     * version 3, by its group.instance.id alone (an admin removing a static member); up to version 2 the
     * request names one member.
     */
    private CompletableFuture<Answer> leaveGroup(LeaveGroupRequestData kafka, short version) {
        List<LeaveGroupRequestData.MemberIdentity> leaving = version < 3
                ? List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(kafka.memberId()))
                : kafka.members();
        List<CompletableFuture<LeaveGroupResponseData.MemberResponse>> left = new ArrayList<>();
        for (LeaveGroupRequestData.MemberIdentity member : leaving) {
            ConsumerGroupHeartbeatRequest.Builder leave = ConsumerGroupHeartbeatRequest.newBuilder()
                    .setGroupId(kafka.groupId())
                    .setMemberId(member.memberId())
                    .setMemberEpoch(-1)
                    .setRebalanceTimeoutMs(-1)
                    .setClientId(CallerClientId.current());
            if (member.groupInstanceId() != null) {
                leave.setInstanceId(member.groupInstanceId());
            }
            left.add(groups.classicLeave(leave.build())
                    .thenApply(response -> new LeaveGroupResponseData.MemberResponse()
                            // Echoed as sent (empty with an instance id alone): Kafka's admin client finds each
                            // member's answer by the identity it sent.
                            .setMemberId(member.memberId())
                            .setGroupInstanceId(member.groupInstanceId())
                            .setErrorCode(KafkaErrors.of(response.getError()).code())));
        }
        return all(left, members -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData();
            if (version < 3) {
                return response.setErrorCode(members.get(0).errorCode());
            }
            return response.setMembers(members);
        });
    }

    private CompletableFuture<Answer> describeClassicGroups(DescribeGroupsRequestData kafka) {
        GrpcReply<DescribeGroupsResponse> reply = new GrpcReply<>();
        groups.describeGroups(
                DescribeGroupsRequest.newBuilder()
                        .addAllGroupIds(kafka.groups())
                        .build(),
                reply);
        return answered(reply, KafkaClassicGroups::described);
    }

    private CompletableFuture<Answer> offsetCommit(OffsetCommitRequestData kafka) {
        GrpcReply<OffsetCommitResponse> reply = new GrpcReply<>();
        groups.offsetCommit(KafkaGroups.offsetCommit(kafka), reply);
        return answered(reply, response -> KafkaGroups.offsetCommit(kafka, response));
    }

    /** Up to version 7 one group; from 8 a list of them, each fetched on its own. */
    private CompletableFuture<Answer> offsetFetch(OffsetFetchRequestData kafka, short version) {
        if (version < 8) {
            GrpcReply<OffsetFetchResponse> reply = new GrpcReply<>();
            groups.offsetFetch(KafkaGroups.offsetFetch(kafka.groupId(), KafkaGroups.topicsOf(kafka.topics())), reply);
            return answered(reply, KafkaGroups::offsetFetch);
        }
        List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> fetched = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : kafka.groups()) {
            GrpcReply<OffsetFetchResponse> reply = new GrpcReply<>();
            groups.offsetFetch(
                    KafkaGroups.offsetFetch(group.groupId(), KafkaGroups.groupTopicsOf(group.topics())), reply);
            fetched.add(reply.answer().thenApply(response -> KafkaGroups.offsetFetchGroup(group.groupId(), response)));
        }
        return CompletableFuture.allOf(fetched.toArray(CompletableFuture[]::new))
                .thenApply(all -> Answer.of(new OffsetFetchResponseData()
                        .setGroups(fetched.stream().map(CompletableFuture::join).toList())));
    }

    private CompletableFuture<Answer> listGroups(ListGroupsRequestData kafka) {
        GrpcReply<ListGroupsResponse> reply = new GrpcReply<>();
        groups.listGroups(ListGroupsRequest.getDefaultInstance(), reply);
        return answered(reply, response -> KafkaGroups.listed(kafka, response));
    }

    private CompletableFuture<Answer> describeGroups(ConsumerGroupDescribeRequestData kafka) {
        GrpcReply<DescribeGroupsResponse> reply = new GrpcReply<>();
        groups.describeGroups(
                DescribeGroupsRequest.newBuilder()
                        .addAllGroupIds(kafka.groupIds())
                        .build(),
                reply);
        return answered(reply, response -> KafkaGroups.described(response, topicIds));
    }

    private CompletableFuture<Answer> offsetDelete(OffsetDeleteRequestData kafka) {
        GrpcReply<OffsetDeleteResponse> reply = new GrpcReply<>();
        groups.offsetDelete(KafkaGroups.offsetDelete(kafka), reply);
        return answered(reply, KafkaGroups::offsetDeleted);
    }

    private CompletableFuture<Answer> deleteGroups(DeleteGroupsRequestData kafka) {
        GrpcReply<DeleteGroupsResponse> reply = new GrpcReply<>();
        groups.deleteGroups(
                DeleteGroupsRequest.newBuilder()
                        .addAllGroupIds(kafka.groupsNames())
                        .build(),
                reply);
        return answered(reply, response -> KafkaGroups.deleted(kafka.groupsNames(), response));
    }

    private CompletableFuture<Answer> createTopics(CreateTopicsRequestData kafka) {
        List<CompletableFuture<CreatableTopicResult>> created = new ArrayList<>();
        for (CreatableTopic topic : kafka.topics()) {
            String unsupported = KafkaAdmin.unsupported(topic, kafka.validateOnly());
            if (unsupported != null) {
                created.add(CompletableFuture.completedFuture(
                        KafkaAdmin.refusedTopic(topic.name(), Errors.INVALID_REQUEST, unsupported)));
                continue;
            }
            GrpcReply<CreateTopicResponse> reply = new GrpcReply<>();
            broker.createTopic(KafkaAdmin.createTopic(topic), reply);
            created.add(reply.answer().thenApply(response -> KafkaAdmin.created(topic.name(), response)));
        }
        return all(created, results -> {
            CreateTopicsResponseData.CreatableTopicResultCollection topics =
                    new CreateTopicsResponseData.CreatableTopicResultCollection();
            topics.addAll(results);
            return new CreateTopicsResponseData().setTopics(topics);
        });
    }

    /** Topics by name; from version 6 a topic may be named by id alone, which is looked up in the view. */
    private CompletableFuture<Answer> deleteTopics(DeleteTopicsRequestData kafka, short version) {
        List<DeleteTopicsRequestData.DeleteTopicState> named = version < 6
                ? kafka.topicNames().stream()
                        .map(n -> new DeleteTopicsRequestData.DeleteTopicState().setName(n))
                        .toList()
                : kafka.topics();
        List<CompletableFuture<DeleteTopicsResponseData.DeletableTopicResult>> deleted = new ArrayList<>();
        for (DeleteTopicsRequestData.DeleteTopicState topic : named) {
            Optional<String> name = topic.name() != null ? Optional.of(topic.name()) : topicIds.name(topic.topicId());
            if (name.isEmpty()) {
                deleted.add(CompletableFuture.completedFuture(new DeleteTopicsResponseData.DeletableTopicResult()
                        .setTopicId(topic.topicId())
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                        .setErrorMessage("no topic has id " + topic.topicId())));
                continue;
            }
            GrpcReply<DeleteTopicResponse> reply = new GrpcReply<>();
            broker.deleteTopic(
                    DeleteTopicRequest.newBuilder().setName(name.get()).build(), reply);
            deleted.add(reply.answer()
                    .thenApply(response -> new DeleteTopicsResponseData.DeletableTopicResult()
                            .setName(name.get())
                            .setTopicId(topic.topicId())
                            .setErrorCode(KafkaErrors.of(response.getError()).code())
                            .setErrorMessage(KafkaAdmin.message(response.getError()))));
        }
        return all(deleted, results -> {
            DeleteTopicsResponseData.DeletableTopicResultCollection topics =
                    new DeleteTopicsResponseData.DeletableTopicResultCollection();
            topics.addAll(results);
            return new DeleteTopicsResponseData().setResponses(topics);
        });
    }

    private CompletableFuture<Answer> createPartitions(CreatePartitionsRequestData kafka) {
        List<CompletableFuture<CreatePartitionsResponseData.CreatePartitionsTopicResult>> grown = new ArrayList<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : kafka.topics()) {
            if (topic.assignments() != null || kafka.validateOnly()) {
                grown.add(
                        CompletableFuture.completedFuture(new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                                .setName(topic.name())
                                .setErrorCode(Errors.INVALID_REQUEST.code())
                                .setErrorMessage(
                                        topic.assignments() != null
                                                ? "Ferry places replicas itself: manual replica assignments are not offered"
                                                : "validate-only requests are not offered")));
                continue;
            }
            GrpcReply<CreatePartitionsResponse> reply = new GrpcReply<>();
            broker.createPartitions(
                    CreatePartitionsRequest.newBuilder()
                            .setName(topic.name())
                            .setCount(topic.count())
                            .build(),
                    reply);
            grown.add(reply.answer()
                    .thenApply(response -> new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                            .setName(topic.name())
                            .setErrorCode(KafkaErrors.of(response.getError()).code())
                            .setErrorMessage(KafkaAdmin.message(response.getError()))));
        }
        return all(grown, results -> new CreatePartitionsResponseData().setResults(results));
    }

    private CompletableFuture<Answer> describeConfigs(DescribeConfigsRequestData kafka) {
        List<CompletableFuture<DescribeConfigsResponseData.DescribeConfigsResult>> described = new ArrayList<>();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : kafka.resources()) {
            if (!KafkaAdmin.isTopic(resource.resourceType())) {
                described.add(CompletableFuture.completedFuture(new DescribeConfigsResponseData.DescribeConfigsResult()
                        .setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName())
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("only topic configs are described here")));
                continue;
            }
            GrpcReply<DescribeTopicsResponse> reply = new GrpcReply<>();
            broker.describeTopics(
                    DescribeTopicsRequest.newBuilder()
                            .addNames(resource.resourceName())
                            .build(),
                    reply);
            described.add(
                    reply.answer().thenApply(response -> KafkaAdmin.describedConfigs(resource, response.getTopics(0))));
        }
        return all(described, results -> new DescribeConfigsResponseData().setResults(results));
    }

    private CompletableFuture<Answer> alterConfigs(IncrementalAlterConfigsRequestData kafka) {
        List<CompletableFuture<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse>> altered =
                new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : kafka.resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName());
            AlterTopicConfigsRequest request;
            try {
                if (!KafkaAdmin.isTopic(resource.resourceType())) {
                    throw new IllegalArgumentException("only topic configs are altered here");
                }
                if (kafka.validateOnly()) {
                    throw new IllegalArgumentException("validate-only requests are not offered");
                }
                request = KafkaAdmin.alterConfigs(resource);
            } catch (IllegalArgumentException refused) {
                altered.add(CompletableFuture.completedFuture(
                        result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(refused.getMessage())));
                continue;
            }
            GrpcReply<AlterTopicConfigsResponse> reply = new GrpcReply<>();
            broker.alterTopicConfigs(request, reply);
            altered.add(reply.answer()
                    .thenApply(response -> result.setErrorCode(
                                    KafkaErrors.of(response.getError()).code())
                            .setErrorMessage(KafkaAdmin.message(response.getError()))));
        }
        return all(altered, results -> new IncrementalAlterConfigsResponseData().setResponses(results));
    }

    private CompletableFuture<Answer> deleteRecords(DeleteRecordsRequestData kafka) {
        GrpcReply<DeleteRecordsResponse> reply = new GrpcReply<>();
        broker.deleteRecords(KafkaAdmin.deleteRecords(kafka), reply);
        return answered(reply, KafkaAdmin::deletedRecords);
    }

    private CompletableFuture<Answer> describeCluster(DescribeClusterRequestData kafka, short version) {
        if (kafka.endpointType() != BROKER_ENDPOINTS) {
            return CompletableFuture.completedFuture(Answer.of(new DescribeClusterResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("the controllers speak Ferry's protocol only; ask for brokers (endpoint type 1)")
                    .setClusterId("")
                    .setEndpointType(kafka.endpointType())));
        }
        GrpcReply<DescribeClusterResponse> reply = new GrpcReply<>();
        broker.describeCluster(DescribeClusterRequest.getDefaultInstance(), reply);
        return answered(
                reply,
                response -> KafkaAdmin.describedCluster(response, kafka.includeFencedBrokers(), brokerId, version));
    }

    /** Once every one of {@code parts} is in, in their order, the answer {@code assembly} makes of them. */
    private static <T> CompletableFuture<Answer> all(
            List<CompletableFuture<T>> parts, Function<List<T>, ApiMessage> assembly) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> Answer.of(assembly.apply(
                        parts.stream().map(CompletableFuture::join).toList())));
    }

    /** CreateAcls ({@link KafkaAcls}): the bindings Ferry has ACLs for go to it, the others are refused here. */
    private CompletableFuture<Answer> createAcls(CreateAclsRequestData kafka) {
        KafkaAcls.Split<AclBinding> creations = KafkaAcls.Split.of(kafka.creations(), KafkaAcls::binding);
        if (creations.forwarded().isEmpty()) {
            return CompletableFuture.completedFuture(
                    Answer.of(KafkaAcls.created(creations, CreateAclsResponse.getDefaultInstance())));
        }
        GrpcReply<CreateAclsResponse> reply = new GrpcReply<>();
        broker.createAcls(
                CreateAclsRequest.newBuilder()
                        .addAllCreations(creations.forwarded())
                        .build(),
                reply);
        return answered(reply, response -> KafkaAcls.created(creations, response));
    }

    private CompletableFuture<Answer> describeAcls(DescribeAclsRequestData kafka) {
        KafkaAcls.Mapped<AclBindingFilter> filter = KafkaAcls.filter(kafka);
        if (filter.unsupported() != null) {
            return CompletableFuture.completedFuture(
                    Answer.of(KafkaAcls.refusedDescribe(Errors.INVALID_REQUEST, filter.unsupported())));
        }
        GrpcReply<DescribeAclsResponse> reply = new GrpcReply<>();
        broker.describeAcls(
                DescribeAclsRequest.newBuilder().setFilter(filter.value()).build(), reply);
        return answered(reply, KafkaAcls::described);
    }

    /** DeleteAcls ({@link KafkaAcls}): the filters Ferry can apply go to it, the others are refused here. */
    private CompletableFuture<Answer> deleteAcls(DeleteAclsRequestData kafka) {
        KafkaAcls.Split<AclBindingFilter> filters = KafkaAcls.Split.of(kafka.filters(), KafkaAcls::filter);
        if (filters.forwarded().isEmpty()) {
            return CompletableFuture.completedFuture(
                    Answer.of(KafkaAcls.deleted(filters, DeleteAclsResponse.getDefaultInstance())));
        }
        GrpcReply<DeleteAclsResponse> reply = new GrpcReply<>();
        broker.deleteAcls(
                DeleteAclsRequest.newBuilder()
                        .addAllFilters(filters.forwarded())
                        .build(),
                reply);
        return answered(reply, response -> KafkaAcls.deleted(filters, response));
    }

    private static <T> CompletableFuture<Answer> answered(GrpcReply<T> reply, Function<T, ApiMessage> translation) {
        return reply.answer().thenApply(response -> Answer.of(translation.apply(response)));
    }
}
