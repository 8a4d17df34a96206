package io.ferry.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class KeyPartitioningTest {

    @Test
    void murmur2MatchesKafkaForEveryTailLength() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] key = new byte[random.nextInt(64)];
            random.nextBytes(key);
            assertEquals(Utils.murmur2(key), KeyPartitioning.murmur2(key), "key length " + key.length);
            int partitions = 1 + random.nextInt(1000);
            assertEquals(
                    Utils.toPositive(Utils.murmur2(key)) % partitions,
                    KeyPartitioning.partitionForKey(key, partitions));
        }
    }

    @Test
    void toPositiveClearsOnlyTheSignBit() {
        assertEquals(Utils.toPositive(Integer.MIN_VALUE), KeyPartitioning.toPositive(Integer.MIN_VALUE));
        assertEquals(Utils.toPositive(-1), KeyPartitioning.toPositive(-1));
        assertEquals(0, KeyPartitioning.toPositive(Integer.MIN_VALUE));
    }
}
