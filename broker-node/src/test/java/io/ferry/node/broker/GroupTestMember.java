package io.ferry.node.broker;

import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.GroupServiceGrpc.GroupServiceBlockingStub;
import io.ferry.proto.v1.PartitionsByTopic;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A consumer group member as a KIP-848 client plays it, by hand: joins with a full heartbeat, then heartbeats
 * owning exactly what its last answer assigned it (so it confirms every revocation at once), and rejoins
 * when fenced. Not thread-safe.
 */
public final class GroupTestMember {

    private final String groupId;
    private final List<String> topics;
    /** The pattern it subscribes with instead of {@link #topics}; null when it names them. */
    private final String pattern;

    private final String memberId = UUID.randomUUID().toString();
    private int epoch;
    private Set<String> owned = new TreeSet<>();
    private ConsumerGroupHeartbeatResponse last;

    public GroupTestMember(String groupId, List<String> topics) {
        this(groupId, topics, null);
    }

    private GroupTestMember(String groupId, List<String> topics, String pattern) {
        this.groupId = groupId;
        this.topics = topics;
        this.pattern = pattern;
    }

    /** A member subscribing with a regular expression ({@code subscribed_topic_regex}). */
    public static GroupTestMember withPattern(String groupId, String pattern) {
        return new GroupTestMember(groupId, List.of(), pattern);
    }

    public String memberId() {
        return memberId;
    }

    public int epoch() {
        return epoch;
    }

    /** The partitions it owns, as {@code topic-partition}. */
    public Set<String> owned() {
        return owned;
    }

    public ConsumerGroupHeartbeatResponse last() {
        return last;
    }

    /** One heartbeat: the first joins; each takes the answer's epoch and, when it carries one, assignment. */
    public ConsumerGroupHeartbeatResponse heartbeat(GroupServiceBlockingStub stub) {
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .setRebalanceTimeoutMs(epoch == 0 ? 30_000 : -1)
                .setClientId("test-" + memberId.substring(0, 8));
        if (epoch == 0 && pattern != null) {
            request.setSubscribedTopicRegex(pattern);
        } else if (epoch == 0) {
            request.setSubscribedTopicNames(ConsumerGroupHeartbeatRequest.SubscribedTopicNames.newBuilder()
                    .addAllNames(topics));
        }
        request.setOwnedTopicPartitions(
                ConsumerGroupHeartbeatRequest.OwnedTopicPartitions.newBuilder().addAllTopics(byTopic(owned)));
        last = stub.consumerGroupHeartbeat(request.build());
        ErrorCode error = last.getError().getCode();
        if (error == ErrorCode.FENCED_MEMBER_EPOCH || error == ErrorCode.UNKNOWN_MEMBER_ID) {
            // As a client does: give every partition up and join again.
            epoch = 0;
            owned = new TreeSet<>();
        }
        if (error == ErrorCode.NONE) {
            epoch = last.getMemberEpoch();
            if (last.hasAssignment()) {
                Set<String> assigned = new TreeSet<>();
                for (PartitionsByTopic t : last.getAssignment().getTopicsList()) {
                    t.getPartitionsList().forEach(p -> assigned.add(t.getTopic() + "-" + p));
                }
                owned = assigned;
            }
        }
        return last;
    }

    private static List<PartitionsByTopic> byTopic(Set<String> partitions) {
        Map<String, PartitionsByTopic.Builder> topics = new TreeMap<>();
        for (String tp : partitions) {
            int dash = tp.lastIndexOf('-');
            topics.computeIfAbsent(
                            tp.substring(0, dash),
                            t -> PartitionsByTopic.newBuilder().setTopic(t))
                    .addPartitions(Integer.parseInt(tp.substring(dash + 1)));
        }
        return topics.values().stream().map(PartitionsByTopic.Builder::build).toList();
    }
}
