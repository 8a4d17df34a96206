package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.DescribeGroupsResponse;
import io.ferry.proto.v1.PartitionsByTopic;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat) as the members of a consumer group, as
 * Kafka's own coordinator keeps classic members of a KIP-848 group: the coordinator assigns, so no member is
 * the leader and every member's SyncGroup gets its own partitions. A JoinGroup is a heartbeat that carries the
 * member's subscription and what it owns (from the consumer protocol's metadata); its generation is its
 * member epoch; a Heartbeat answers REBALANCE_IN_PROGRESS when the member must join again to move on. The
 * coordinator records the member as classic, with the JoinGroup's session timeout as its own.
 *
 * <p>The listener generates classic members' ids, with {@link #MEMBER_ID_PREFIX}, so that an operator reading
 * a group's members sees which speak the classic protocol.
 */
final class KafkaClassicGroups {

    private static final Logger log = LoggerFactory.getLogger(KafkaClassicGroups.class);

    /** How every classic member's id starts. */
    static final String MEMBER_ID_PREFIX = "classic-";

    /** JoinGroup's first version that makes a new dynamic member ask again with the id it is given. */
    private static final short MEMBER_ID_REQUIRED_VERSION = 4;

    private KafkaClassicGroups() {}

    /** A new classic member's id. */
    static String newMemberId() {
        return MEMBER_ID_PREFIX + Uuid.randomUuid();
    }

    /**
     * Why a JoinGroup cannot be a consumer group's member, or empty: only the consumer protocol (its
     * subscription is what the coordinator assigns by), with at least one assignor named.
     */
    static Optional<String> unsupported(JoinGroupRequestData kafka) {
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(kafka.protocolType())) {
            return Optional.of("protocol type '" + kafka.protocolType() + "' is not served; only '"
                    + ConsumerProtocol.PROTOCOL_TYPE + "' groups are");
        }
        if (kafka.protocols().isEmpty()) {
            return Optional.of("the JoinGroup names no assignor protocol");
        }
        return Optional.empty();
    }

    /** Whether the JoinGroup must first be answered MEMBER_ID_REQUIRED, with a new id to join with. */
    static boolean needsMemberId(JoinGroupRequestData kafka, short version) {
        return kafka.memberId().isEmpty() && kafka.groupInstanceId() == null && version >= MEMBER_ID_REQUIRED_VERSION;
    }

    /**
     * The JoinGroup as a heartbeat carrying every field, the subscription read from the first protocol's
     * metadata (every protocol carries the same one).
     *
     * @throws RuntimeException (Kafka's SchemaException among them) if the metadata is not a consumer
     *     protocol subscription
     */
    static ConsumerGroupHeartbeatRequest join(JoinGroupRequestData kafka, String memberId) {
        ByteBuffer metadata =
                ByteBuffer.wrap(kafka.protocols().iterator().next().metadata());
        ConsumerProtocolSubscription subscription = ConsumerProtocol.deserializeConsumerProtocolSubscription(metadata);
        ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.Builder owned =
                ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder();
        for (ConsumerProtocolSubscription.TopicPartition topic : subscription.ownedPartitions()) {
            owned.addTopics(
                    PartitionsByTopic.newBuilder().setTopic(topic.topic()).addAllPartitions(topic.partitions()));
        }
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(kafka.groupId())
                .setMemberId(memberId)
                // Version 0 has no rebalance timeout (-1): there the session timeout is also the rebalance's, as in
                // Kafka. Any other negative value goes on to be refused.
                .setRebalanceTimeoutMs(
                        kafka.rebalanceTimeoutMs() == -1 ? kafka.sessionTimeoutMs() : kafka.rebalanceTimeoutMs())
                .setClientId(CallerClientId.current())
                .setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                        .addAllNames(subscription.topics()))
                .setOwnedTopicPartitions(owned);
        if (kafka.groupInstanceId() != null) {
            request.setInstanceId(kafka.groupInstanceId());
        }
        return request.build();
    }

    static JoinGroupResponseData joined(
            JoinGroupRequestData kafka, String memberId, ConsumerGroupHeartbeatResponse ferry) {
        Errors error = KafkaErrors.of(ferry.getError());
        if (error != Errors.NONE) {
            return refusedJoin(memberId, error, ferry.getError().getMessage());
        }
        return new JoinGroupResponseData()
                .setMemberId(memberId)
                .setGenerationId(ferry.getMemberEpoch())
                .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                .setProtocolName(kafka.protocols().iterator().next().name())
                // No member leads: the coordinator has assigned, and every member only syncs.
                .setLeader("");
    }

    /** A refused JoinGroup; Kafka's answer has no message, so {@code why} goes only to the debug log. */
    static JoinGroupResponseData refusedJoin(String memberId, Errors error, String why) {
        if (why != null) {
            log.debug("JoinGroup of member {} refused with {}: {}", memberId, error, why);
        }
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setMemberId(memberId)
                .setGenerationId(-1)
                .setLeader("");
    }

    /** A SyncGroup's answer: the member's partitions in the consumer protocol's assignment. */
    static SyncGroupResponseData synced(SyncGroupRequestData kafka, ConsumerGroupHeartbeatResponse ferry) {
        Errors error = KafkaErrors.of(ferry.getError());
        SyncGroupResponseData response = new SyncGroupResponseData()
                .setErrorCode(error.code())
                .setProtocolType(kafka.protocolType())
                .setProtocolName(kafka.protocolName());
        if (error != Errors.NONE) {
            return response.setAssignment(new byte[0]);
        }
        return response.setAssignment(assignment(ferry.getAssignment().getTopicsList()));
    }

    /**
     * Why a SyncGroup does not fit a consumer group's member, or empty: its protocol type, when it names one
     * (from version 5), must be the consumer protocol.
     */
    static Optional<String> unsupported(SyncGroupRequestData kafka) {
        return kafka.protocolType() == null || ConsumerProtocol.PROTOCOL_TYPE.equals(kafka.protocolType())
                ? Optional.empty()
                : Optional.of("protocol type '" + kafka.protocolType() + "' is not served");
    }

    /**
     * DescribeGroups: each group with its members, their subscriptions and assignments in the consumer
     * protocol's form, and the state in the classic protocol's words.
     */
    static DescribeGroupsResponseData described(DescribeGroupsResponse ferry) {
        List<DescribeGroupsResponseData.DescribedGroup> groups = new ArrayList<>();
        for (DescribeGroupsResponse.Description group : ferry.getGroupsList()) {
            Errors error = KafkaErrors.of(group.getError());
            DescribeGroupsResponseData.DescribedGroup described = new DescribeGroupsResponseData.DescribedGroup()
                    .setGroupId(group.getGroupId())
                    .setErrorCode(error.code())
                    .setErrorMessage(KafkaAdmin.message(group.getError()));
            if (error == Errors.GROUP_ID_NOT_FOUND) {
                // Kafka's answer for a group it does not know: no error, the state Dead.
                described.setErrorCode(Errors.NONE.code()).setErrorMessage(null).setGroupState("Dead");
            } else if (error == Errors.NONE) {
                List<DescribeGroupsResponseData.DescribedGroupMember> members = new ArrayList<>();
                for (DescribeGroupsResponse.Member m : group.getMembersList()) {
                    members.add(new DescribeGroupsResponseData.DescribedGroupMember()
                            .setMemberId(m.getMemberId())
                            .setGroupInstanceId(m.hasInstanceId() ? m.getInstanceId() : null)
                            .setClientId(m.getClientId())
                            .setClientHost(m.getClientHost())
                            .setMemberMetadata(subscription(m.getSubscribedTopicNamesList()))
                            .setMemberAssignment(assignment(m.getAssignmentList())));
                }
                described
                        .setGroupState(classicState(group.getGroupState()))
                        .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                        .setProtocolData(group.getAssignorName())
                        .setMembers(members);
            }
            groups.add(described);
        }
        return new DescribeGroupsResponseData().setGroups(groups);
    }

    /** A consumer group's state as the classic protocol names the nearest one. */
    private static String classicState(String ferry) {
        return switch (ferry) {
            case "EMPTY" -> "Empty";
            case "STABLE" -> "Stable";
            case "ASSIGNING" -> "PreparingRebalance";
            case "RECONCILING" -> "CompletingRebalance";
            default -> "Dead";
        };
    }

    private static byte[] subscription(List<String> topics) {
        return Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(new ArrayList<>(topics)), (short) 0));
    }

    /**
     * Partitions as the consumer protocol's assignment, at version 0: every client reads it (later versions
     * add nothing to an assignment).
     */
    private static byte[] assignment(List<PartitionsByTopic> partitions) {
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        partitions.forEach(t ->
                byTopic.computeIfAbsent(t.getTopic(), n -> new ArrayList<>()).addAll(t.getPartitionsList()));
        List<TopicPartition> assigned = new ArrayList<>();
        byTopic.forEach((topic, ps) -> ps.forEach(p -> assigned.add(new TopicPartition(topic, p))));
        return Utils.toArray(
                ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(assigned), (short) 0));
    }
}
