package io.ferry.node.internal.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DeleteRecordsPartitionResult;
import io.ferry.proto.v1.DeleteRecordsResponse;
import io.ferry.proto.v1.DeleteRecordsTopicResult;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.PartitionsByTopic;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.proto.v1.TopicMetadata;
import io.ferry.proto.v1.TopicProduceResult;
import io.ferry.proto.v1.TopicRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;

/**
 * Every answer the listener translates, with every field Ferry fills set, is written at every version it
 * serves: a field an older version lacks must be left at its default there, or Kafka's generated writer
 * refuses the whole answer (as librdkafka's ListOffsets v2 found).
 */
class KafkaAnswersAtEveryVersionTest {

    private static final Error NONE = Error.newBuilder().setCode(ErrorCode.NONE).build();
    private static final Error REFUSED = Error.newBuilder()
            .setCode(ErrorCode.NOT_LEADER)
            .setMessage("not the leader")
            .build();
    private static final String TOPIC_ID = "5f0b6c6e-8c1e-4b8f-9a37-0e6a1f3c2d11";

    @Test
    void everyTranslatedAnswerIsWrittenAtEveryServedVersion() {
        List<String> failures = new ArrayList<>();
        check(failures, ApiKeys.PRODUCE, v -> KafkaProduce.response(produce()));
        check(failures, ApiKeys.FETCH, v -> {
            KafkaFetchSessions sessions = new KafkaFetchSessions();
            return KafkaFetch.response(
                    fetch(), sessions.plan(new org.apache.kafka.common.message.FetchRequestData()), sessions);
        });
        check(failures, ApiKeys.LIST_OFFSETS, v -> KafkaListOffsets.response(listOffsets(), v));
        check(
                failures,
                ApiKeys.METADATA,
                v -> KafkaMetadata.response(new MetadataRequestData().setTopics(null), metadata(), 1));
        check(
                failures,
                ApiKeys.OFFSET_COMMIT,
                v -> KafkaGroups.offsetCommit(new OffsetCommitRequestData(), offsetCommit()));
        check(
                failures,
                ApiKeys.OFFSET_FETCH,
                v -> v < 8
                        ? KafkaGroups.offsetFetch(offsetFetch())
                        : new org.apache.kafka.common.message.OffsetFetchResponseData()
                                .setGroups(List.of(KafkaGroups.offsetFetchGroup("g", offsetFetch()))));
        check(failures, ApiKeys.LIST_GROUPS, v -> KafkaGroups.listed(new ListGroupsRequestData(), listGroups()));
        check(failures, ApiKeys.CONSUMER_GROUP_DESCRIBE, v -> KafkaGroups.described(describeGroups(), ids()));
        check(failures, ApiKeys.CONSUMER_GROUP_HEARTBEAT, v -> KafkaGroups.heartbeat(heartbeat(), ids()));
        check(failures, ApiKeys.DELETE_GROUPS, v -> KafkaGroups.deleted(List.of("g", "h"), deleteGroups()));
        check(
                failures,
                ApiKeys.OFFSET_DELETE,
                v -> KafkaGroups.offsetDeleted(OffsetDeleteResponse.newBuilder()
                        .setError(NONE)
                        .addTopics(PartitionErrorsByTopic.newBuilder()
                                .setTopic("t")
                                .addPartitions(PartitionErrorsByTopic.PartitionError.newBuilder()
                                        .setPartition(0)
                                        .setError(REFUSED)))
                        .build()));
        check(failures, ApiKeys.JOIN_GROUP, v -> KafkaClassicGroups.joined(joinGroup(), "classic-1", heartbeat()));
        check(
                failures,
                ApiKeys.JOIN_GROUP,
                v -> KafkaClassicGroups.refusedJoin("classic-1", Errors.MEMBER_ID_REQUIRED, null));
        check(failures, ApiKeys.SYNC_GROUP, v -> KafkaClassicGroups.synced(syncGroup(v), heartbeat()));
        check(failures, ApiKeys.DESCRIBE_GROUPS, v -> KafkaClassicGroups.described(describeGroups()));
        check(failures, ApiKeys.CREATE_TOPICS, v -> {
            CreateTopicsResponseData.CreatableTopicResultCollection topics =
                    new CreateTopicsResponseData.CreatableTopicResultCollection();
            topics.add(KafkaAdmin.created("t", createTopic()));
            topics.add(KafkaAdmin.refusedTopic("u", org.apache.kafka.common.protocol.Errors.INVALID_REQUEST, "no"));
            return new CreateTopicsResponseData().setTopics(topics);
        });
        check(
                failures,
                ApiKeys.DESCRIBE_CONFIGS,
                v -> new DescribeConfigsResponseData()
                        .setResults(List.of(KafkaAdmin.describedConfigs(
                                new DescribeConfigsResource()
                                        .setResourceType((byte) 2)
                                        .setResourceName("t"),
                                TopicDescription.newBuilder()
                                        .setError(NONE)
                                        .setName("t")
                                        .setTopic(topicRecord())
                                        .build()))));
        check(failures, ApiKeys.DELETE_RECORDS, v -> KafkaAdmin.deletedRecords(deleteRecords()));
        check(failures, ApiKeys.DESCRIBE_CLUSTER, v -> KafkaAdmin.describedCluster(describeCluster(), true, 1, v));
        check(
                failures,
                ApiKeys.CREATE_ACLS,
                v -> KafkaAcls.created(
                        new KafkaAcls.Split<>(
                                2, List.of(acl()), List.of(0), java.util.Map.of(1, "USER has no ACLs on Ferry")),
                        io.ferry.proto.v1.CreateAclsResponse.newBuilder()
                                .addResults(REFUSED)
                                .build()));
        check(
                failures,
                ApiKeys.DESCRIBE_ACLS,
                v -> KafkaAcls.described(io.ferry.proto.v1.DescribeAclsResponse.newBuilder()
                        .addAcls(acl())
                        .build()));
        check(
                failures,
                ApiKeys.DELETE_ACLS,
                v -> KafkaAcls.deleted(
                        new KafkaAcls.Split<>(
                                1,
                                List.of(io.ferry.proto.v1.AclBindingFilter.getDefaultInstance()),
                                List.of(0),
                                java.util.Map.of()),
                        io.ferry.proto.v1.DeleteAclsResponse.newBuilder()
                                .addFilterResults(io.ferry.proto.v1.DeleteAclsFilterResult.newBuilder()
                                        .setError(NONE)
                                        .addDeleted(acl()))
                                .build()));
        assertEquals(List.of(), failures);
    }

    private static io.ferry.proto.v1.AclBinding acl() {
        return io.ferry.proto.v1.AclBinding.newBuilder()
                .setResourceType(io.ferry.proto.v1.ResourceType.RESOURCE_TYPE_TOPIC)
                .setResourceName("t")
                .setPatternType(io.ferry.proto.v1.PatternType.PATTERN_TYPE_LITERAL)
                .setPrincipal("User:alice")
                .setHost("*")
                .setOperation(io.ferry.proto.v1.AclOperation.ACL_OPERATION_READ)
                .setPermissionType(io.ferry.proto.v1.AclPermissionType.ACL_PERMISSION_TYPE_ALLOW)
                .build();
    }

    private static void check(List<String> failures, ApiKeys api, Function<Short, ApiMessage> answer) {
        for (short v = api.oldestVersion(); v <= api.latestVersion(); v++) {
            if (!SupportedApis.supports(api, v)) {
                continue;
            }
            try {
                ApiMessage message = answer.apply(v);
                ObjectSerializationCache cache = new ObjectSerializationCache();
                ByteBuffer out = ByteBuffer.allocate(message.size(cache, v));
                message.write(new ByteBufferAccessor(out), cache, v);
            } catch (RuntimeException e) {
                failures.add(api + " v" + v + ": " + e.getMessage());
            }
        }
    }

    private static JoinGroupRequestData joinGroup() {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range"));
        return new JoinGroupRequestData().setProtocolType("consumer").setProtocols(protocols);
    }

    /** A SyncGroup as sent at {@code version}: the protocol's type and name only from version 5. */
    private static SyncGroupRequestData syncGroup(short version) {
        SyncGroupRequestData request = new SyncGroupRequestData();
        return version < 5 ? request : request.setProtocolType("consumer").setProtocolName("range");
    }

    private static TopicIds ids() {
        return new TopicIds(() -> io.ferry.node.internal.broker.metadata.BrokerMetadata.EMPTY);
    }

    private static TopicRecord topicRecord() {
        return TopicRecord.newBuilder()
                .setName("t")
                .setTopicId(TOPIC_ID)
                .setPartitionCount(2)
                .setReplicationFactor(3)
                .putConfigs("retention.ms", "1000")
                .build();
    }

    private static ProduceResponse produce() {
        return ProduceResponse.newBuilder()
                .setThrottleTimeMs(5)
                .addTopics(TopicProduceResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(PartitionProduceResult.newBuilder()
                                .setPartition(0)
                                .setError(NONE)
                                .setBaseOffset(10)
                                .setLogAppendTimeMs(-1)
                                .setLogStartOffset(3))
                        .addPartitions(PartitionProduceResult.newBuilder()
                                .setPartition(1)
                                .setError(REFUSED)
                                .setBaseOffset(-1)
                                .setLogAppendTimeMs(-1)
                                .setLogStartOffset(-1)))
                .build();
    }

    private static FetchResponse fetch() {
        return FetchResponse.newBuilder()
                .setThrottleTimeMs(5)
                .addTopics(FetchTopicResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(FetchPartitionResult.newBuilder()
                                .setPartition(0)
                                .setError(NONE)
                                .setHighWatermark(10)
                                .setLogStartOffset(3)
                                .setRecords(ByteString.EMPTY)))
                .build();
    }

    private static ListOffsetsResponse listOffsets() {
        return ListOffsetsResponse.newBuilder()
                .addTopics(ListOffsetsTopicResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(ListOffsetsPartitionResult.newBuilder()
                                .setPartition(0)
                                .setError(NONE)
                                .setOffset(10)
                                .setTimestamp(-1)
                                .setLeaderEpoch(4)))
                .build();
    }

    private static MetadataResponse metadata() {
        return MetadataResponse.newBuilder()
                .setClusterId("MkU3OEVBNTcwNTJENDM2Qg")
                .addBrokers(BrokerRegistration.newBuilder()
                        .setBrokerId(1)
                        .addEndpoints(Endpoint.newBuilder()
                                .setName(KafkaListener.ENDPOINT)
                                .setHost("h")
                                .setPort(9)))
                .addTopics(TopicMetadata.newBuilder()
                        .setName("t")
                        .setError(NONE)
                        .setTopicId(TOPIC_ID)
                        .addPartitions(PartitionRecord.newBuilder()
                                .setPartition(0)
                                .setLeader(1)
                                .setLeaderEpoch(3)
                                .addReplicas(1)
                                .addIsr(1)))
                .addTopics(TopicMetadata.newBuilder().setName("gone").setError(REFUSED))
                .setControllerId(1)
                .build();
    }

    private static OffsetCommitResponse offsetCommit() {
        return OffsetCommitResponse.newBuilder()
                .addTopics(PartitionErrorsByTopic.newBuilder()
                        .setTopic("t")
                        .addPartitions(PartitionErrorsByTopic.PartitionError.newBuilder()
                                .setPartition(0)
                                .setError(NONE)))
                .build();
    }

    private static OffsetFetchResponse offsetFetch() {
        return OffsetFetchResponse.newBuilder()
                .setError(NONE)
                .addTopics(OffsetFetchResponse.Topic.newBuilder()
                        .setTopic("t")
                        .addPartitions(OffsetFetchResponse.Partition.newBuilder()
                                .setPartition(0)
                                .setCommittedOffset(5)
                                .setCommittedLeaderEpoch(2)
                                .setMetadata("m")
                                .setError(NONE)))
                .build();
    }

    private static ListGroupsResponse listGroups() {
        return ListGroupsResponse.newBuilder()
                .setError(NONE)
                .addGroups(
                        ListGroupsResponse.Listing.newBuilder().setGroupId("g").setGroupState("STABLE"))
                .build();
    }

    private static DescribeGroupsResponse describeGroups() {
        return DescribeGroupsResponse.newBuilder()
                .addGroups(DescribeGroupsResponse.Description.newBuilder()
                        .setError(NONE)
                        .setGroupId("g")
                        .setGroupState("STABLE")
                        .setGroupEpoch(3)
                        .setAssignmentEpoch(3)
                        .setAssignorName("uniform")
                        .addMembers(DescribeGroupsResponse.Member.newBuilder()
                                .setMemberId("m")
                                .setClientId("c")
                                .setClientHost("/127.0.0.1")
                                .setMemberEpoch(3)
                                .addSubscribedTopicNames("t")
                                .addAssignment(PartitionsByTopic.newBuilder()
                                        .setTopic("t")
                                        .addPartitions(0))))
                .build();
    }

    private static ConsumerGroupHeartbeatResponse heartbeat() {
        return ConsumerGroupHeartbeatResponse.newBuilder()
                .setError(NONE)
                .setMemberId("m")
                .setMemberEpoch(2)
                .setHeartbeatIntervalMs(5000)
                .setAssignment(ConsumerGroupHeartbeatResponse.Assignment.newBuilder()
                        .addTopics(PartitionsByTopic.newBuilder().setTopic("t").addPartitions(0)))
                .build();
    }

    private static DeleteGroupsResponse deleteGroups() {
        return DeleteGroupsResponse.newBuilder()
                .addResults(
                        DeleteGroupsResponse.Result.newBuilder().setGroupId("g").setError(NONE))
                .addResults(
                        DeleteGroupsResponse.Result.newBuilder().setGroupId("h").setError(REFUSED))
                .build();
    }

    private static CreateTopicResponse createTopic() {
        return CreateTopicResponse.newBuilder()
                .setError(NONE)
                .setTopic(topicRecord())
                .build();
    }

    private static DeleteRecordsResponse deleteRecords() {
        return DeleteRecordsResponse.newBuilder()
                .addTopics(DeleteRecordsTopicResult.newBuilder()
                        .setTopic("t")
                        .addPartitions(DeleteRecordsPartitionResult.newBuilder()
                                .setPartition(0)
                                .setError(NONE)
                                .setLowWatermark(4)))
                .build();
    }

    private static DescribeClusterResponse describeCluster() {
        return DescribeClusterResponse.newBuilder()
                .setError(NONE)
                .setClusterId("MkU3OEVBNTcwNTJENDM2Qg")
                .addBrokers(BrokerRegistration.newBuilder()
                        .setBrokerId(1)
                        .setFenced(true)
                        .addEndpoints(Endpoint.newBuilder()
                                .setName(KafkaListener.ENDPOINT)
                                .setHost("h")
                                .setPort(9)))
                .build();
    }
}
