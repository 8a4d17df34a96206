package io.ferry.client;

import java.util.List;
import java.util.Map;

/** A topic's identity, settings and partitions. */
public record TopicDescription(
        String name,
        String topicId,
        int replicationFactor,
        Map<String, String> configs,
        List<PartitionInfo> partitions) {}
