package io.ferry.node.internal.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.group.TopicsImage;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.TopicRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClusterTopicsTest {

    private static BrokerMetadata view(long version, Map<String, Integer> partitionCounts) {
        Map<String, TopicRecord> topics = new HashMap<>();
        partitionCounts.forEach((name, count) -> topics.put(
                name,
                TopicRecord.newBuilder().setName(name).setPartitionCount(count).build()));
        return new BrokerMetadata(version, Map.of(), topics, Map.of());
    }

    @Test
    void aPatternMatchesWholeTopicNamesButNeverTheInternalTopic() {
        ClusterTopics topics = new ClusterTopics(
                () -> view(1, Map.of("orders", 3, "orders-eu", 2, "old-orders", 1, OffsetsTopic.NAME, 50)));
        TopicsImage image = topics.image(List.of("orders.*", ".*", ""));
        assertEquals(Set.of("orders", "orders-eu"), image.regexMatches().get("orders.*"));
        assertEquals(
                Set.of("orders", "orders-eu", "old-orders"),
                image.regexMatches().get(".*"));
        assertEquals(Set.of(), image.regexMatches().get(""));
        assertEquals(50, image.partitionCounts().get(OffsetsTopic.NAME), "a topic named explicitly may be read");
    }

    @Test
    void matchesFollowTheMetadataView() {
        AtomicReference<BrokerMetadata> current = new AtomicReference<>(view(1, Map.of("a1", 1)));
        ClusterTopics topics = new ClusterTopics(current::get);
        assertEquals(Set.of("a1"), topics.image(List.of("a.")).regexMatches().get("a."));
        current.set(view(2, Map.of("a1", 1, "a2", 4)));
        TopicsImage image = topics.image(List.of("a."));
        assertEquals(Set.of("a1", "a2"), image.regexMatches().get("a."));
        assertEquals(4, image.partitionCounts().get("a2"));
    }

    @Test
    void patternsBeyondTheCachedOnesAreStillResolved() {
        ClusterTopics topics = new ClusterTopics(() -> view(1, Map.of("orders", 1)));
        for (int i = 0; i < ClusterTopics.MAX_CACHED_PATTERNS; i++) {
            topics.image(List.of("orders|x" + i));
        }
        assertEquals(
                Set.of("orders"), topics.image(List.of("ord.*")).regexMatches().get("ord.*"));
        assertEquals(Set.of(), topics.image(List.of("other.*")).regexMatches().get("other.*"));
    }

    @Test
    void aPatternThatDoesNotCompileIsNamedAsSuchAndMatchesNothing() {
        assertTrue(ClusterTopics.problemWith("orders(").isPresent());
        assertTrue(ClusterTopics.problemWith("orders[0-9]+").isEmpty());
        ClusterTopics topics = new ClusterTopics(() -> view(1, Map.of("orders", 1)));
        assertEquals(Set.of(), topics.image(List.of("orders(")).regexMatches().get("orders("));
    }
}
