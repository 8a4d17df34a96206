package io.ferry.client.internal;

import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicMetadata;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable snapshot of the cluster metadata: broker addresses (each broker's first endpoint),
 * and each known topic's partitions with their leaders. Safe to share between threads.
 */
public final class ClusterView {

    public static final ClusterView EMPTY = new ClusterView(Map.of(), Map.of(), Map.of(), -1L);

    private final Map<Integer, InetSocketAddress> brokers;
    private final Map<String, PartitionInfo[]> topics;
    private final Map<String, Error> topicErrors;
    private final Map<String, int[]> available;
    private final long version;

    private ClusterView(
            Map<Integer, InetSocketAddress> brokers,
            Map<String, PartitionInfo[]> topics,
            Map<String, Error> topicErrors,
            long version) {
        this.brokers = brokers;
        this.topics = topics;
        this.topicErrors = topicErrors;
        this.version = version;
        Map<String, int[]> avail = new HashMap<>();
        topics.forEach((name, parts) -> avail.put(
                name,
                java.util.Arrays.stream(parts)
                        .filter(p -> p != null && p.leader() >= 0 && brokers.containsKey(p.leader()))
                        .mapToInt(PartitionInfo::partition)
                        .toArray()));
        this.available = avail;
    }

    /** Reads a Metadata answer; partitions missing from a topic's list stay null (unknown). */
    public static ClusterView from(MetadataResponse response) {
        Map<Integer, InetSocketAddress> brokers = new HashMap<>();
        for (BrokerRegistration b : response.getBrokersList()) {
            if (b.getEndpointsCount() > 0 && !b.getFenced()) {
                Endpoint e = b.getEndpoints(0);
                brokers.put(b.getBrokerId(), InetSocketAddress.createUnresolved(e.getHost(), e.getPort()));
            }
        }
        Map<String, PartitionInfo[]> topics = new HashMap<>();
        Map<String, Error> errors = new HashMap<>();
        for (TopicMetadata t : response.getTopicsList()) {
            if (t.hasError() && t.getError().getCode() != ErrorCode.NONE) {
                errors.put(t.getName(), t.getError());
                continue;
            }
            int count = 0;
            for (PartitionRecord p : t.getPartitionsList()) {
                count = Math.max(count, p.getPartition() + 1);
            }
            PartitionInfo[] parts = new PartitionInfo[count];
            for (PartitionRecord p : t.getPartitionsList()) {
                if (p.getPartition() >= 0) {
                    parts[p.getPartition()] = toInfo(p);
                }
            }
            topics.put(t.getName(), parts);
        }
        return new ClusterView(
                Map.copyOf(brokers), Map.copyOf(topics), Map.copyOf(errors), response.getMetadataVersion());
    }

    public static PartitionInfo toInfo(PartitionRecord p) {
        return new PartitionInfo(
                p.getTopic(),
                p.getPartition(),
                p.getLeader(),
                p.getLeaderEpoch(),
                List.copyOf(p.getReplicasList()),
                List.copyOf(p.getIsrList()));
    }

    /** Number of partitions, or -1 when the topic is not in this view. */
    public int partitionCount(String topic) {
        PartitionInfo[] parts = topics.get(topic);
        return parts == null ? -1 : parts.length;
    }

    /** Partitions whose leader is known and reachable; empty array when none or unknown topic. */
    public int[] availablePartitions(String topic) {
        int[] parts = available.get(topic);
        return parts == null ? new int[0] : parts;
    }

    /** The partition, or null when unknown. */
    public PartitionInfo partition(String topic, int partition) {
        PartitionInfo[] parts = topics.get(topic);
        return parts == null || partition < 0 || partition >= parts.length ? null : parts[partition];
    }

    public List<PartitionInfo> partitions(String topic) {
        PartitionInfo[] parts = topics.get(topic);
        List<PartitionInfo> out = new ArrayList<>();
        if (parts != null) {
            for (PartitionInfo p : parts) {
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Broker id of the partition's leader, or -1 when unknown or unreachable. */
    public int leader(TopicPartition tp) {
        PartitionInfo p = partition(tp.topic(), tp.partition());
        return p == null || !brokers.containsKey(p.leader()) ? -1 : p.leader();
    }

    /** The broker's address, or null when the broker is unknown or fenced. */
    public InetSocketAddress address(int brokerId) {
        return brokers.get(brokerId);
    }

    public Collection<InetSocketAddress> brokerAddresses() {
        return brokers.values();
    }

    /** The error the metadata answer gave for the topic, or null. */
    public Error topicError(String topic) {
        return topicErrors.get(topic);
    }

    public long version() {
        return version;
    }
}
