package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.BrokerInfo;
import io.ferry.client.ClusterDescription;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatTest {

    static final TopicDescription ORDERS = new TopicDescription(
            "orders",
            "id-1",
            3,
            Map.of("retention.ms", "1000", "min.insync.replicas", "2"),
            List.of(
                    new PartitionInfo("orders", 0, 1, 4, List.of(1, 2, 3), List.of(1, 2, 3)),
                    new PartitionInfo("orders", 1, 2, 7, List.of(2, 3, 1), List.of(2, 1)),
                    new PartitionInfo("orders", 2, -1, 9, List.of(3, 1, 2), List.of())));

    static final ClusterDescription CLUSTER = new ClusterDescription(
            5,
            List.of(
                    new BrokerInfo(1, "127.0.0.1", 9092, false),
                    new BrokerInfo(2, "127.0.0.1", 9093, false),
                    new BrokerInfo(3, "127.0.0.1", 9094, true)),
            42);

    @Test
    void topicDescribeUsesKafkaLayoutWithStatus() {
        assertEquals("""
                Topic: orders\tTopicId: id-1\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,retention.ms=1000
                \tTopic: orders\tPartition: 0\tLeader: 1\tLeaderEpoch: 4\tReplicas: 1,2,3\tIsr: 1,2,3
                \tTopic: orders\tPartition: 1\tLeader: 2\tLeaderEpoch: 7\tReplicas: 2,3,1\tIsr: 2,1\tStatus: UNDER-REPLICATED
                \tTopic: orders\tPartition: 2\tLeader: none\tLeaderEpoch: 9\tReplicas: 3,1,2\tIsr: -\tStatus: OFFLINE
                """, TopicFormat.describe(List.of(ORDERS), false));
    }

    @Test
    void topicDescribeCanShowOnlyProblems() {
        String text = TopicFormat.describe(List.of(ORDERS), true);
        assertEquals(2, text.lines().count(), text);
        assertFalse(text.contains("Partition: 0"));
    }

    @Test
    void clusterViewListsBrokersPartitionsAndMarksProblems() {
        String text = ClusterReport.render(CLUSTER, List.of(ORDERS), false);
        assertEquals("""
                Active controller: 5    Metadata version: 42

                BROKER  ENDPOINT        STATE
                1       127.0.0.1:9092  alive
                2       127.0.0.1:9093  alive
                3       127.0.0.1:9094  FENCED

                TOPIC   PARTITION  LEADER  EPOCH  REPLICAS  ISR    STATUS
                orders  0          1       4      1,2,3     1,2,3  ok
                orders  1          2       7      2,3,1     2,1    UNDER-REPLICATED
                orders  2          none    9      3,1,2     -      OFFLINE

                3 broker(s) (1 fenced), 1 topic(s), 3 partition(s): 1 under-replicated, 1 offline
                """, text);
        assertFalse(text.contains("\u001b"), "no colour codes off a terminal");
    }

    @Test
    void clusterViewOnATerminalColoursProblemRows() {
        String text = ClusterReport.render(CLUSTER, List.of(ORDERS), true);
        assertTrue(text.contains("\u001b[31;1morders  2 "), text); // offline: red
        assertTrue(text.contains("\u001b[33morders  1 "), text); // under-replicated: yellow
        assertTrue(text.contains("\u001b[33m3       127.0.0.1:9094  FENCED"), text);
        assertTrue(text.contains("orders  0          1       4      1,2,3     1,2,3  ok\n"), "healthy rows plain");
    }

    @Test
    void clusterViewWithoutTopicsOrController() {
        String text = ClusterReport.render(new ClusterDescription(-1, List.of(), 0), List.of(), false);
        assertTrue(text.startsWith("Active controller: none"), text);
        assertTrue(text.contains("No topics."), text);
    }

    @Test
    void recordFormatPrintsChosenFieldsInOrder() {
        ConsumerRecord r = new ConsumerRecord("t", 2, 17, 1_763_769_600_000L, bytes("k"), bytes("v a l"), List.of());
        assertEquals("v a l", new RecordFormat(false, false, false, false, "\t").format(r));
        assertEquals("2025-11-22T00:00:00Z|2|17|k|v a l", new RecordFormat(true, true, true, true, "|").format(r));
        assertEquals("17,k,v a l", new RecordFormat(false, false, true, true, ",").format(r));
        ConsumerRecord nulls = new ConsumerRecord("t", 0, 0, 0, null, null, List.of());
        assertEquals("null\tnull", new RecordFormat(false, false, false, true, "\t").format(nulls));
    }

    @Test
    void lineParserSplitsAtTheFirstSeparator() {
        LineParser.KeyValue kv = new LineParser(null, ":").parse("user-1:a:b");
        assertEquals("user-1", text(kv.key()));
        assertEquals("a:b", text(kv.value()));
        LineParser.KeyValue fixed = new LineParser("K", null).parse("x:y");
        assertEquals("K", text(fixed.key()));
        assertEquals("x:y", text(fixed.value()));
        LineParser.KeyValue none = new LineParser(null, null).parse("é");
        assertEquals(null, none.key());
        assertEquals("é", text(none.value()));
        assertThrows(UsageException.class, () -> new LineParser(null, ":").parse("no separator"));
        assertThrows(UsageException.class, () -> new LineParser(null, ""));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
