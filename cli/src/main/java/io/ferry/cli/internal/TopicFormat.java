package io.ferry.cli.internal;

import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Text for {@code topic describe}: one line per topic and one indented line per partition, in
 * Kafka's "Key: value" layout so existing habits (and greps) carry over, with a status word for
 * partitions that need attention.
 */
public final class TopicFormat {

    private TopicFormat() {}

    public static String describe(Collection<TopicDescription> topics, boolean problemsOnly) {
        StringBuilder sb = new StringBuilder();
        for (TopicDescription t : topics) {
            if (!problemsOnly) {
                sb.append("Topic: ")
                        .append(t.name())
                        .append("\tTopicId: ")
                        .append(t.topicId())
                        .append("\tPartitionCount: ")
                        .append(t.partitions().size())
                        .append("\tReplicationFactor: ")
                        .append(t.replicationFactor())
                        .append("\tConfigs: ")
                        .append(configs(t.configs()))
                        .append('\n');
            }
            for (PartitionInfo p : t.partitions()) {
                PartitionStatus status = PartitionStatus.of(p);
                if (problemsOnly && status == PartitionStatus.OK) {
                    continue;
                }
                sb.append("\tTopic: ")
                        .append(t.name())
                        .append("\tPartition: ")
                        .append(p.partition())
                        .append("\tLeader: ")
                        .append(p.leader() < 0 ? "none" : Integer.toString(p.leader()))
                        .append("\tLeaderEpoch: ")
                        .append(p.leaderEpoch())
                        .append("\tReplicas: ")
                        .append(ids(p.replicas()))
                        .append("\tIsr: ")
                        .append(ids(p.isr()));
                if (status != PartitionStatus.OK) {
                    sb.append("\tStatus: ").append(status.label());
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    static String configs(Map<String, String> configs) {
        return new TreeMap<>(configs)
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static String ids(List<Integer> ids) {
        return ids.isEmpty() ? "-" : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
