package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.client.TopicPartition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetsCsvTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition AUDIT_3 = new TopicPartition("audit", 3);

    @Test
    void anExportIsSortedAndReadsBackAsItWasWritten() {
        String csv = OffsetsCsv.format(Map.of(ORDERS_1, 7L, AUDIT_3, 0L, ORDERS_0, 12L));
        assertEquals("audit,3,0\norders,0,12\norders,1,7\n", csv);
        assertEquals(
                List.of(Map.entry(AUDIT_3, 0L), Map.entry(ORDERS_0, 12L), Map.entry(ORDERS_1, 7L)),
                List.copyOf(OffsetsCsv.parse(csv, "plan").entrySet()));
    }

    @Test
    void blankLinesAndSpacesAroundFieldsAreAllowed() {
        Map<TopicPartition, Long> expected = new LinkedHashMap<>();
        expected.put(ORDERS_1, 4L);
        expected.put(AUDIT_3, 9L);
        assertEquals(expected, OffsetsCsv.parse("\n orders , 1 , 4 \n\naudit,3,9", "plan"));
    }

    @Test
    void eachMalformedLineIsRefusedWithItsNumberAndWhy() {
        assertRefused("orders,0,1\norders,1\n", "plan line 2: expected topic,partition,offset, got 'orders,1'");
        assertRefused("billing,orders,0,1\n", "plan line 1: expected topic,partition,offset, got 'billing,orders,0,1'");
        assertRefused(",0,1\n", "plan line 1: the topic is empty");
        assertRefused("orders,one,1\n", "plan line 1: partition 'one' is not a number from 0 to 2147483647");
        assertRefused("\norders,0,-3\n", "plan line 2: offset '-3' is not a number from 0 to 9223372036854775807");
        assertRefused("orders,0,1\naudit,3,2\norders,0,5\n", "plan line 3: orders-0 already has an offset, on line 1");
    }

    @Test
    void aFileWithNoLineIsRefused() {
        UsageException e = assertThrows(UsageException.class, () -> OffsetsCsv.parse("\n \n", "plan"));
        assertEquals("plan: no topic,partition,offset line in it", e.getMessage());
    }

    private static void assertRefused(String text, String message) {
        UsageException e = assertThrows(UsageException.class, () -> OffsetsCsv.parse(text, "plan"));
        assertEquals(message + "; nothing was reset", e.getMessage());
    }
}
