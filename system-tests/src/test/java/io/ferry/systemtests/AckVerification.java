package io.ferry.systemtests;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The durability check of acknowledged writes: every record in the {@link AckLedger} must be in its
 * partition exactly once, at the offset it was acknowledged with. Also no value may appear twice
 * anywhere: the load generator sends each value once, and its idempotent producer's retries must not
 * write one twice.
 */
final class AckVerification {

    private AckVerification() {}

    /**
     * Compares the ledger with what consumers read.
     *
     * @param contents every partition of the topic, by partition number
     * @return one line per violation, naming partition, offset and expected vs found; empty when none
     */
    static List<String> check(AckLedger ledger, Map<Integer, PartitionContents> contents) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> whereFound = new HashMap<>();
        contents.values()
                .forEach(pc -> pc.values()
                        .forEach((offset, value) -> whereFound
                                .computeIfAbsent(value, v -> new ArrayList<>())
                                .add(pc.topicPartition() + "@" + offset)));
        whereFound.forEach((value, places) -> {
            if (places.size() > 1) {
                problems.add("duplicated: value " + value + " found " + places.size() + " times, at " + places);
            }
        });
        for (AckLedger.Ack ack : ledger.acks()) {
            PartitionContents pc = contents.get(ack.partition());
            if (pc == null) {
                problems.add("lost: value " + ack.value() + " acknowledged at partition " + ack.partition() + " offset "
                        + ack.offset() + ", a partition that was not read");
                continue;
            }
            String found = pc.values().get(ack.offset());
            if (ack.value().equals(found)) {
                continue;
            }
            String where = whereFound.containsKey(ack.value())
                    ? "the value is at " + whereFound.get(ack.value()) + " instead"
                    : "the value is nowhere";
            if (ack.offset() >= pc.highWatermark()) {
                problems.add("lost: " + pc.topicPartition() + " offset " + ack.offset() + ": acknowledged value "
                        + ack.value() + " but the offset is at or above the high watermark " + pc.highWatermark()
                        + "; " + where);
            } else if (found == null) {
                problems.add("lost: " + pc.topicPartition() + " offset " + ack.offset() + ": acknowledged value "
                        + ack.value() + " but no record was read there; " + where);
            } else {
                problems.add("lost: " + pc.topicPartition() + " offset " + ack.offset() + ": acknowledged value "
                        + ack.value() + " but found " + found + "; " + where);
            }
        }
        return problems;
    }
}
