package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.DeleteGroupsResponse;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.ListGroupsResponse;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetDeleteRequest;
import io.ferry.proto.v1.OffsetDeleteResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import io.ferry.proto.v1.PartitionErrorsByTopic;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-848's consumer group calls and the offset calls as Ferry's, which has the same protocol: the heartbeat's
 * topic ids become names and back ({@link TopicIds}; an owned partition of a topic the view does not know is
 * left out, as a deleted topic's), the rest is renaming. Kafka's "null: unchanged" fields stay unset.
 */
final class KafkaGroups {

    private KafkaGroups() {}

    static ConsumerGroupHeartbeatRequest heartbeat(ConsumerGroupHeartbeatRequestData kafka, TopicIds ids) {
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(kafka.groupId())
                .setMemberId(kafka.memberId())
                .setMemberEpoch(kafka.memberEpoch())
                .setRebalanceTimeoutMs(kafka.rebalanceTimeoutMs())
                .setClientId(CallerClientId.current());
        if (kafka.instanceId() != null) {
            request.setInstanceId(kafka.instanceId());
        }
        if (kafka.subscribedTopicNames() != null) {
            request.setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                    .addAllNames(kafka.subscribedTopicNames()));
        }
        if (kafka.subscribedTopicRegex() != null) {
            request.setSubscribedTopicRegex(kafka.subscribedTopicRegex());
        }
        if (kafka.topicPartitions() != null) {
            ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.Builder owned =
                    ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder();
            for (ConsumerGroupHeartbeatRequestData.TopicPartitions topic : kafka.topicPartitions()) {
                ids.name(topic.topicId())
                        .ifPresent(name -> owned.addTopics(
                                PartitionsByTopic.newBuilder().setTopic(name).addAllPartitions(topic.partitions())));
            }
            request.setOwnedTopicPartitions(owned);
        }
        return request.build();
    }

    static ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatResponse ferry, TopicIds ids) {
        Errors error = KafkaErrors.of(ferry.getError());
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setErrorCode(error.code())
                .setErrorMessage(error == Errors.NONE ? null : ferry.getError().getMessage())
                .setMemberId(ferry.getMemberId().isEmpty() ? null : ferry.getMemberId())
                .setMemberEpoch(ferry.getMemberEpoch())
                .setHeartbeatIntervalMs(ferry.getHeartbeatIntervalMs());
        if (ferry.hasAssignment()) {
            List<ConsumerGroupHeartbeatResponseData.TopicPartitions> topics = new ArrayList<>();
            for (PartitionsByTopic topic : ferry.getAssignment().getTopicsList()) {
                topics.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                        .setTopicId(ids.id(topic.getTopic()))
                        .setPartitions(new ArrayList<>(topic.getPartitionsList())));
            }
            response.setAssignment(new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(topics));
        }
        return response;
    }

    static OffsetCommitRequest offsetCommit(OffsetCommitRequestData kafka) {
        OffsetCommitRequest.Builder request = OffsetCommitRequest.newBuilder()
                .setGroupId(kafka.groupId())
                .setMemberId(kafka.memberId())
                .setMemberEpoch(kafka.generationIdOrMemberEpoch());
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : kafka.topics()) {
            OffsetCommitRequest.Topic.Builder t =
                    OffsetCommitRequest.Topic.newBuilder().setTopic(topic.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                t.addPartitions(OffsetCommitRequest.Partition.newBuilder()
                        .setPartition(p.partitionIndex())
                        .setCommittedOffset(p.committedOffset())
                        .setCommittedLeaderEpoch(p.committedLeaderEpoch())
                        .setCommittedMetadata(p.committedMetadata() == null ? "" : p.committedMetadata()));
            }
            request.addTopics(t);
        }
        return request.build();
    }

    /** Kafka's answer has no request-wide error: one is every partition's. */
    static OffsetCommitResponseData offsetCommit(OffsetCommitRequestData kafka, OffsetCommitResponse ferry) {
        List<OffsetCommitResponseTopic> topics = new ArrayList<>();
        if (ferry.hasError() && KafkaErrors.of(ferry.getError()) != Errors.NONE) {
            short code = KafkaErrors.of(ferry.getError()).code();
            for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : kafka.topics()) {
                List<OffsetCommitResponsePartition> partitions = new ArrayList<>();
                topic.partitions()
                        .forEach(p -> partitions.add(new OffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(code)));
                topics.add(new OffsetCommitResponseTopic().setName(topic.name()).setPartitions(partitions));
            }
            return new OffsetCommitResponseData().setTopics(topics);
        }
        for (PartitionErrorsByTopic topic : ferry.getTopicsList()) {
            List<OffsetCommitResponsePartition> partitions = new ArrayList<>();
            topic.getPartitionsList()
                    .forEach(p -> partitions.add(new OffsetCommitResponsePartition()
                            .setPartitionIndex(p.getPartition())
                            .setErrorCode(KafkaErrors.of(p.getError()).code())));
            topics.add(new OffsetCommitResponseTopic().setName(topic.getTopic()).setPartitions(partitions));
        }
        return new OffsetCommitResponseData().setTopics(topics);
    }

    static OffsetDeleteRequest offsetDelete(OffsetDeleteRequestData kafka) {
        OffsetDeleteRequest.Builder request = OffsetDeleteRequest.newBuilder().setGroupId(kafka.groupId());
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : kafka.topics()) {
            request.addTopics(PartitionsByTopic.newBuilder()
                    .setTopic(topic.name())
                    .addAllPartitions(topic.partitions().stream()
                            .map(OffsetDeleteRequestData.OffsetDeleteRequestPartition::partitionIndex)
                            .toList()));
        }
        return request.build();
    }

    /** Kafka's answer: the group's error, and each partition's. */
    static OffsetDeleteResponseData offsetDeleted(OffsetDeleteResponse ferry) {
        OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection topics =
                new OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection();
        for (PartitionErrorsByTopic topic : ferry.getTopicsList()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic t = topics.find(topic.getTopic());
            if (t == null) {
                t = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.getTopic());
                topics.add(t);
            }
            for (PartitionErrorsByTopic.PartitionError p : topic.getPartitionsList()) {
                t.partitions()
                        .add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                                .setPartitionIndex(p.getPartition())
                                .setErrorCode(KafkaErrors.of(p.getError()).code()));
            }
        }
        return new OffsetDeleteResponseData()
                .setErrorCode(KafkaErrors.of(ferry.getError()).code())
                .setTopics(topics);
    }

    /** One group's OffsetFetch; {@code topics} null for every committed offset of the group. */
    static OffsetFetchRequest offsetFetch(String groupId, List<PartitionsByTopic> topics) {
        OffsetFetchRequest.Builder request = OffsetFetchRequest.newBuilder().setGroupId(groupId);
        if (topics != null) {
            request.addAllTopics(topics);
        }
        return request.build();
    }

    /** The group's topics of an OffsetFetch up to version 7, or null for all. */
    static List<PartitionsByTopic> topicsOf(List<OffsetFetchRequestData.OffsetFetchRequestTopic> kafka) {
        if (kafka == null) {
            return null;
        }
        return kafka.stream()
                .map(t -> PartitionsByTopic.newBuilder()
                        .setTopic(t.name())
                        .addAllPartitions(t.partitionIndexes())
                        .build())
                .toList();
    }

    /** A group's topics of an OffsetFetch from version 8, or null for all. */
    static List<PartitionsByTopic> groupTopicsOf(List<OffsetFetchRequestData.OffsetFetchRequestTopics> kafka) {
        if (kafka == null) {
            return null;
        }
        return kafka.stream()
                .map(t -> PartitionsByTopic.newBuilder()
                        .setTopic(t.name())
                        .addAllPartitions(t.partitionIndexes())
                        .build())
                .toList();
    }

    static ListGroupsResponseData listed(ListGroupsRequestData kafka, ListGroupsResponse ferry) {
        List<ListGroupsResponseData.ListedGroup> groups = new ArrayList<>();
        for (ListGroupsResponse.Listing listing : ferry.getGroupsList()) {
            String state = KafkaAdmin.groupState(listing.getGroupState());
            boolean wanted = kafka.statesFilter().isEmpty()
                    || kafka.statesFilter().stream().anyMatch(state::equalsIgnoreCase);
            boolean consumerType = kafka.typesFilter().isEmpty()
                    || kafka.typesFilter().stream().anyMatch("consumer"::equalsIgnoreCase);
            if (wanted && consumerType) {
                groups.add(new ListGroupsResponseData.ListedGroup()
                        .setGroupId(listing.getGroupId())
                        .setProtocolType("consumer")
                        .setGroupState(state)
                        .setGroupType("consumer"));
            }
        }
        return new ListGroupsResponseData()
                .setErrorCode(KafkaErrors.of(ferry.getError()).code())
                .setGroups(groups);
    }

    static ConsumerGroupDescribeResponseData described(DescribeGroupsResponse ferry, TopicIds ids) {
        List<ConsumerGroupDescribeResponseData.DescribedGroup> groups = new ArrayList<>();
        for (DescribeGroupsResponse.Description group : ferry.getGroupsList()) {
            Errors error = KafkaErrors.of(group.getError());
            ConsumerGroupDescribeResponseData.DescribedGroup described =
                    new ConsumerGroupDescribeResponseData.DescribedGroup()
                            .setGroupId(group.getGroupId())
                            .setErrorCode(error.code())
                            .setErrorMessage(KafkaAdmin.message(group.getError()));
            if (error == Errors.NONE) {
                List<ConsumerGroupDescribeResponseData.Member> members = new ArrayList<>();
                for (DescribeGroupsResponse.Member m : group.getMembersList()) {
                    members.add(new ConsumerGroupDescribeResponseData.Member()
                            .setMemberId(m.getMemberId())
                            .setInstanceId(m.hasInstanceId() ? m.getInstanceId() : null)
                            .setMemberEpoch(m.getMemberEpoch())
                            .setClientId(m.getClientId())
                            .setClientHost(m.getClientHost())
                            .setSubscribedTopicNames(new ArrayList<>(m.getSubscribedTopicNamesList()))
                            .setSubscribedTopicRegex(m.hasSubscribedTopicRegex() ? m.getSubscribedTopicRegex() : null)
                            .setAssignment(assignment(m.getAssignmentList(), ids))
                            .setTargetAssignment(assignment(m.getTargetAssignmentList(), ids)));
                }
                described
                        .setGroupState(KafkaAdmin.groupState(group.getGroupState()))
                        .setGroupEpoch(group.getGroupEpoch())
                        .setAssignmentEpoch(group.getAssignmentEpoch())
                        .setAssignorName(group.getAssignorName())
                        .setMembers(members);
            }
            groups.add(described);
        }
        return new ConsumerGroupDescribeResponseData().setGroups(groups);
    }

    private static ConsumerGroupDescribeResponseData.Assignment assignment(
            List<PartitionsByTopic> partitions, TopicIds ids) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> topics = new ArrayList<>();
        for (PartitionsByTopic topic : partitions) {
            topics.add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                    .setTopicId(ids.id(topic.getTopic()))
                    .setTopicName(topic.getTopic())
                    .setPartitions(new ArrayList<>(topic.getPartitionsList())));
        }
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(topics);
    }

    /** Each requested group's result; a request-wide refusal is every group's. */
    static DeleteGroupsResponseData deleted(List<String> requested, DeleteGroupsResponse ferry) {
        DeleteGroupsResponseData.DeletableGroupResultCollection results =
                new DeleteGroupsResponseData.DeletableGroupResultCollection();
        for (String groupId : requested) {
            io.ferry.proto.v1.Error error = ferry.getResultsList().stream()
                    .filter(r -> r.getGroupId().equals(groupId))
                    .map(DeleteGroupsResponse.Result::getError)
                    .findFirst()
                    .orElse(ferry.getError());
            results.add(new DeleteGroupsResponseData.DeletableGroupResult()
                    .setGroupId(groupId)
                    .setErrorCode(KafkaErrors.of(error).code())
                    .setErrorMessage(KafkaAdmin.message(error)));
        }
        return new DeleteGroupsResponseData().setResults(results);
    }

    /** Kafka's answer up to version 7: one group, its topics at the top level. */
    static OffsetFetchResponseData offsetFetch(OffsetFetchResponse ferry) {
        List<OffsetFetchResponseData.OffsetFetchResponseTopic> topics = new ArrayList<>();
        for (OffsetFetchResponse.Topic topic : ferry.getTopicsList()) {
            List<OffsetFetchResponseData.OffsetFetchResponsePartition> partitions = new ArrayList<>();
            for (OffsetFetchResponse.Partition p : topic.getPartitionsList()) {
                partitions.add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(p.getPartition())
                        .setCommittedOffset(p.getCommittedOffset())
                        .setCommittedLeaderEpoch(p.getCommittedLeaderEpoch())
                        .setMetadata(p.getMetadata())
                        .setErrorCode(KafkaErrors.of(p.getError()).code()));
            }
            topics.add(new OffsetFetchResponseData.OffsetFetchResponseTopic()
                    .setName(topic.getTopic())
                    .setPartitions(partitions));
        }
        return new OffsetFetchResponseData()
                .setTopics(topics)
                .setErrorCode(KafkaErrors.of(ferry.getError()).code());
    }

    /** One group of Kafka's answer from version 8. */
    static OffsetFetchResponseData.OffsetFetchResponseGroup offsetFetchGroup(
            String groupId, OffsetFetchResponse ferry) {
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> topics = new ArrayList<>();
        for (OffsetFetchResponse.Topic topic : ferry.getTopicsList()) {
            List<OffsetFetchResponseData.OffsetFetchResponsePartitions> partitions = new ArrayList<>();
            for (OffsetFetchResponse.Partition p : topic.getPartitionsList()) {
                partitions.add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                        .setPartitionIndex(p.getPartition())
                        .setCommittedOffset(p.getCommittedOffset())
                        .setCommittedLeaderEpoch(p.getCommittedLeaderEpoch())
                        .setMetadata(p.getMetadata())
                        .setErrorCode(KafkaErrors.of(p.getError()).code()));
            }
            topics.add(new OffsetFetchResponseData.OffsetFetchResponseTopics()
                    .setName(topic.getTopic())
                    .setPartitions(partitions));
        }
        return new OffsetFetchResponseData.OffsetFetchResponseGroup()
                .setGroupId(groupId)
                .setTopics(topics)
                .setErrorCode(KafkaErrors.of(ferry.getError()).code());
    }
}
