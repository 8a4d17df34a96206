package io.ferry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.internal.Partitioning;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class PartitioningTest {

    @Test
    void murmur2MatchesKafkaForEveryTailLength() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] key = new byte[random.nextInt(64)];
            random.nextBytes(key);
            assertEquals(Utils.murmur2(key), Partitioning.murmur2(key), "key length " + key.length);
            int partitions = 1 + random.nextInt(1000);
            assertEquals(
                    Utils.toPositive(Utils.murmur2(key)) % partitions, Partitioning.partitionForKey(key, partitions));
        }
    }

    @Test
    void toPositiveClearsOnlyTheSignBit() {
        assertEquals(Utils.toPositive(Integer.MIN_VALUE), Partitioning.toPositive(Integer.MIN_VALUE));
        assertEquals(Utils.toPositive(-1), Partitioning.toPositive(-1));
        assertEquals(0, Partitioning.toPositive(Integer.MIN_VALUE));
    }
}
