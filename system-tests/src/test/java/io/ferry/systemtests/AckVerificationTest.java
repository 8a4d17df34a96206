package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AckVerificationTest {

    private static PartitionContents partition(int partition, long highWatermark, Object... offsetsAndValues) {
        TreeMap<Long, String> values = new TreeMap<>();
        for (int i = 0; i < offsetsAndValues.length; i += 2) {
            values.put(((Number) offsetsAndValues[i]).longValue(), (String) offsetsAndValues[i + 1]);
        }
        return PartitionContents.of(new TopicPartition("t", partition), highWatermark, values);
    }

    private static AckLedger ledger(Object... partitionOffsetValue) {
        AckLedger ledger = new AckLedger();
        for (int i = 0; i < partitionOffsetValue.length; i += 3) {
            ledger.acknowledged(
                    (Integer) partitionOffsetValue[i], ((Number) partitionOffsetValue[i + 1]).longValue(), (String)
                            partitionOffsetValue[i + 2]);
        }
        return ledger;
    }

    @Test
    void everyAcknowledgedRecordInPlaceOnceIsClean() {
        AckLedger ledger = ledger(0, 0, "p0-0", 0, 2, "p0-2", 1, 0, "p0-1");
        // p1-0 failed at the client but was written: an unacknowledged value once is fine.
        Map<Integer, PartitionContents> contents = Map.of(
                0, partition(0, 3, 0, "p0-0", 1, "p1-0", 2, "p0-2"),
                1, partition(1, 1, 0, "p0-1"));

        assertEquals(List.of(), AckVerification.check(ledger, contents));
    }

    @Test
    void namesTheLostRecordItsOffsetAndWhatWasFound() {
        AckLedger ledger = ledger(0, 1, "p0-1", 0, 2, "p0-2", 0, 5, "p0-5");
        Map<Integer, PartitionContents> contents = Map.of(0, partition(0, 3, 0, "p0-0", 1, "p2-7", 2, "p0-1"));

        assertEquals(
                List.of(
                        "lost: t-0 offset 1: acknowledged value p0-1 but found p2-7; the value is at [t-0@2] instead",
                        "lost: t-0 offset 2: acknowledged value p0-2 but found p0-1; the value is nowhere",
                        "lost: t-0 offset 5: acknowledged value p0-5 but the offset is at or above the high watermark 3; "
                                + "the value is nowhere"),
                AckVerification.check(ledger, contents));
    }

    @Test
    void namesEveryPlaceOfADuplicatedValue() {
        AckLedger ledger = ledger(0, 0, "p0-0");
        Map<Integer, PartitionContents> contents = Map.of(
                0, partition(0, 2, 0, "p0-0", 1, "p0-0"),
                1, partition(1, 1, 0, "p1-4"),
                2, partition(2, 1, 0, "p1-4"));

        List<String> problems = AckVerification.check(ledger, contents);

        assertEquals(2, problems.size(), problems::toString);
        assertEquals(
                true, problems.contains("duplicated: value p0-0 found 2 times, at [t-0@0, t-0@1]"), problems::toString);
        assertEquals(
                true,
                problems.stream().anyMatch(p -> p.startsWith("duplicated: value p1-4 found 2 times")),
                problems::toString);
    }

    @Test
    void aGapBelowTheHighWatermarkIsALoss() {
        AckLedger ledger = ledger(0, 1, "p0-1");
        Map<Integer, PartitionContents> contents = Map.of(0, partition(0, 3, 0, "p0-0", 2, "p0-2"));

        assertEquals(
                List.of("lost: t-0 offset 1: acknowledged value p0-1 but no record was read there; "
                        + "the value is nowhere"),
                AckVerification.check(ledger, contents));
    }
}
