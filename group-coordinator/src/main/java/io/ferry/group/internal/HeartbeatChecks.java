package io.ferry.group.internal;

import io.ferry.group.HeartbeatRequest;
import io.ferry.group.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a heartbeat's fields, each of which came from a client: the first malformed field makes
 * the request INVALID_REQUEST, with a message that names the field and says what is wrong.
 */
public final class HeartbeatChecks {

    /** The longest group id, member id, group.instance.id, client id, client host or regular expression. */
    public static final int MAX_STRING_LENGTH = 255;
    /** Topic names as the broker accepts them (storage's rules): 1 to 249 of these characters. */
    public static final int MAX_TOPIC_LENGTH = 249;

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");

    private HeartbeatChecks() {}

    /** What is wrong with the request, or empty when every field is well formed. */
    public static Optional<String> problem(HeartbeatRequest r) {
        return firstOf(
                string("groupId", r.groupId(), false),
                string("memberId", r.memberId(), false),
                epoch(r),
                r.instanceId() == null ? null : string("instanceId", r.instanceId(), false),
                string("clientId", r.clientId(), true),
                string("clientHost", r.clientHost(), true),
                rebalanceTimeout(r),
                r.subscribedTopicRegex() == null
                        ? null
                        : string("subscribedTopicRegex", r.subscribedTopicRegex(), true),
                topicNames(r.subscribedTopicNames()),
                ownedPartitions(r.ownedTopicPartitions()),
                joinFields(r));
    }

    private static Optional<String> firstOf(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return Optional.of(problem);
            }
        }
        return Optional.empty();
    }

    static String string(String field, String value, boolean mayBeEmpty) {
        if (value == null) {
            return field + " is missing";
        }
        if (value.isEmpty() && !mayBeEmpty) {
            return field + " must not be empty";
        }
        if (value.length() > MAX_STRING_LENGTH) {
            return field + " is " + value.length() + " characters long: the limit is " + MAX_STRING_LENGTH;
        }
        return null;
    }

    private static String epoch(HeartbeatRequest r) {
        if (r.memberEpoch() < HeartbeatRequest.LEAVE_STATIC_EPOCH) {
            return "memberEpoch " + r.memberEpoch() + " is invalid: -2, -1, 0 or a positive epoch";
        }
        if (r.memberEpoch() == HeartbeatRequest.LEAVE_STATIC_EPOCH && r.instanceId() == null) {
            return "memberEpoch -2 (a static member leaving for now) needs an instanceId";
        }
        return null;
    }

    private static String rebalanceTimeout(HeartbeatRequest r) {
        if (r.rebalanceTimeoutMs() < -1) {
            return "rebalanceTimeoutMs " + r.rebalanceTimeoutMs() + " is negative (-1 means not sent)";
        }
        return null;
    }

    private static String topicNames(List<String> names) {
        if (names == null) {
            return null;
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            String problem = topicName("subscribedTopicNames", name);
            if (problem != null) {
                return problem;
            }
            if (!seen.add(name)) {
                return "subscribedTopicNames names '" + name + "' twice";
            }
        }
        return null;
    }

    private static String ownedPartitions(List<TopicPartition> owned) {
        if (owned == null) {
            return null;
        }
        Set<TopicPartition> seen = new HashSet<>();
        for (TopicPartition tp : owned) {
            if (tp == null) {
                return "ownedTopicPartitions holds a null entry";
            }
            String problem = topicName("ownedTopicPartitions", tp.topic());
            if (problem != null) {
                return problem;
            }
            if (tp.partition() < 0) {
                return "ownedTopicPartitions has a negative partition: " + tp;
            }
            if (!seen.add(tp)) {
                return "ownedTopicPartitions names " + tp + " twice";
            }
        }
        return null;
    }

    static String topicName(String field, String name) {
        if (name == null || name.isEmpty()) {
            return field + " holds an empty topic name";
        }
        if (name.length() > MAX_TOPIC_LENGTH) {
            return field + " holds a topic name " + name.length() + " characters long: the limit is "
                    + MAX_TOPIC_LENGTH;
        }
        if (!TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return field + " holds an invalid topic name (letters, digits, '.', '_', '-'; not '.' or '..')";
        }
        return null;
    }

    /** A join carries the whole subscription and owns nothing yet. */
    private static String joinFields(HeartbeatRequest r) {
        if (r.memberEpoch() != HeartbeatRequest.JOIN_EPOCH) {
            return null;
        }
        if (r.rebalanceTimeoutMs() == -1) {
            return "rebalanceTimeoutMs must be sent when joining (memberEpoch 0)";
        }
        if (r.subscribedTopicNames() == null
                && (r.subscribedTopicRegex() == null || r.subscribedTopicRegex().isEmpty())) {
            return "subscribedTopicNames or subscribedTopicRegex must be sent when joining (memberEpoch 0)";
        }
        if (r.ownedTopicPartitions() != null && !r.ownedTopicPartitions().isEmpty()) {
            return "ownedTopicPartitions must be empty when joining (memberEpoch 0)";
        }
        return null;
    }
}
