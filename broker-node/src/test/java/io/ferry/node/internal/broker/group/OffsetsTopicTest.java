package io.ferry.node.internal.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OffsetsTopicTest {

    @Test
    void aGroupLandsOnTheHashOfItsIdModuloThePartitionCountAsInKafka() {
        assertEquals(13, OffsetsTopic.partitionFor("payments", 50));
        // "billing".hashCode() is -109829509: its absolute value decides.
        assertEquals(9, OffsetsTopic.partitionFor("billing", 50));
        assertEquals(0, OffsetsTopic.partitionFor("", 50));
    }

    @Test
    void anIdHashingToIntegerMinValueLandsOnPartitionZeroAsKafkasUtilsAbsHasIt() {
        assertEquals(Integer.MIN_VALUE, "polygenelubricants".hashCode());
        assertEquals(0, OffsetsTopic.partitionFor("polygenelubricants", 7));
    }

    @Test
    void onlyTheOffsetsTopicIsInternal() {
        assertTrue(OffsetsTopic.isInternal("__consumer_offsets"));
        assertFalse(OffsetsTopic.isInternal("consumer_offsets"));
    }
}
