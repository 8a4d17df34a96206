package io.ferry.systemtests;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryConsumer;
import io.ferry.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a consumer reads from one partition, from its start up to a high watermark: offset to value.
 * Immutable once read.
 */
final class PartitionContents {

    private final TopicPartition tp;
    private final long highWatermark;
    private final NavigableMap<Long, String> values;

    private PartitionContents(TopicPartition tp, long highWatermark, NavigableMap<Long, String> values) {
        this.tp = tp;
        this.highWatermark = highWatermark;
        this.values = values;
    }

    /**
     * Consumes {@code tp} from the beginning until the position reaches {@code highWatermark}.
     *
     * @throws AssertionError if that takes longer than {@code timeout}, naming how far it got
     */
    static PartitionContents read(String bootstrap, TopicPartition tp, long highWatermark, Duration timeout) {
        NavigableMap<Long, String> values = new TreeMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET,
                "earliest",
                ConsumerConfig.CLIENT_ID,
                "verify-" + tp)))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long position = 0;
            while (position < highWatermark) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(tp + ": consumed only up to offset " + position + " of high watermark "
                            + highWatermark + " within " + timeout);
                }
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < highWatermark) {
                        values.put(
                                r.offset(), r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                position = consumer.position(tp);
            }
        }
        return new PartitionContents(tp, highWatermark, values);
    }

    /** Contents read some other way (a check's own test, what a group's members processed). */
    static PartitionContents of(TopicPartition tp, long highWatermark, NavigableMap<Long, String> values) {
        return new PartitionContents(tp, highWatermark, new TreeMap<>(values));
    }

    TopicPartition topicPartition() {
        return tp;
    }

    long highWatermark() {
        return highWatermark;
    }

    /** Offset to value of every record below the high watermark, in offset order. */
    NavigableMap<Long, String> values() {
        return values;
    }
}
