package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.internal.ClusterView;
import io.ferry.client.internal.StickyPartitioner;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicMetadata;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyPartitionerTest {

    /** Topic "t" with 4 partitions; partition 2 has no leader. */
    private static ClusterView view() {
        TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName("t");
        for (int p = 0; p < 4; p++) {
            topic.addPartitions(
                    PartitionRecord.newBuilder().setTopic("t").setPartition(p).setLeader(p == 2 ? -1 : 1));
        }
        return ClusterView.from(MetadataResponse.newBuilder()
                .addBrokers(BrokerRegistration.newBuilder()
                        .setBrokerId(1)
                        .addEndpoints(Endpoint.newBuilder().setHost("h").setPort(1)))
                .addTopics(topic)
                .build());
    }

    @Test
    void sticksUntilMovedAndMovesToAnotherPartitionWithALeader() {
        ClusterView view = view();
        StickyPartitioner sticky = new StickyPartitioner();
        int current = sticky.partition("t", view, 4);
        assertEquals(current, sticky.partition("t", view, 4));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int next = sticky.next("t", current, view, 4);
            assertNotEquals(current, next);
            assertNotEquals(2, next, "partition 2 has no leader");
            seen.add(next);
            current = next;
        }
        assertEquals(Set.of(0, 1, 3), seen);
    }

    @Test
    void aStaleMoveRequestKeepsTheCurrentChoice() {
        ClusterView view = view();
        StickyPartitioner sticky = new StickyPartitioner();
        int first = sticky.partition("t", view, 4);
        int second = sticky.next("t", first, view, 4);
        // Another thread saw the same completed batch on `first`: the topic must not move again.
        assertEquals(second, sticky.next("t", first, view, 4));
        assertTrue(second >= 0 && second < 4);
    }
}
