package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeySpaceTest {

    @Test
    void keysAreFormattedAsPercentZeroEightD() {
        for (int index : new int[] {0, 7, 42, 99_999_999, 100_000_000, 123_456_789, Integer.MAX_VALUE}) {
            assertEquals(String.format("key-%08d", index), text(KeySpace.key(index)));
        }
    }

    @Test
    void theSequenceIsAKafkaGeneratorsWithTheSameSeed() {
        // What bin/bench-compaction's Kafka load generator (benchmarks/peer/KafkaKeyedProduce.java) sends.
        Random kafkaSide = new Random(KeySpace.SEED);
        KeySpace keys = new KeySpace(880_000, KeySpace.SEED);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(String.format("key-%08d", kafkaSide.nextInt(880_000)), text(keys.next()));
        }
    }

    @Test
    void everyKeyOfASmallSpaceComesUpAboutEquallyOften() {
        int size = 10;
        int draws = 100_000;
        KeySpace keys = new KeySpace(size, KeySpace.SEED);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(text(keys.next()), 1, Integer::sum);
        }
        assertEquals(size, counts.size(), counts.toString());
        for (int index = 0; index < size; index++) {
            int count = counts.get(String.format("key-%08d", index));
            // 10,000 expected; a binomial's standard deviation here is 95, so 5% off is > 5 sigma.
            assertTrue(Math.abs(count - draws / size) < draws / size / 20, counts.toString());
        }
    }

    @Test
    void aSeedGivesTheSameSequenceEveryTime() {
        KeySpace a = new KeySpace(1000, 7);
        KeySpace b = new KeySpace(1000, 7);
        for (int i = 0; i < 1000; i++) {
            assertArrayEquals(a.next(), b.next());
        }
    }

    @Test
    void anEmptySpaceOrANegativeIndexIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeySpace(0, KeySpace.SEED));
        assertThrows(IllegalArgumentException.class, () -> KeySpace.key(-1));
    }

    private static String text(byte[] key) {
        return new String(key, StandardCharsets.US_ASCII);
    }
}
