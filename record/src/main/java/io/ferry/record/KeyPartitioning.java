package io.ferry.record;

/**
 * Key-hash partitioning as Kafka's producer does it, {@code toPositive(murmur2(key)) % numPartitions}, so a
 * key lands on the same partition whether the Java client or a broker (for RecordService's Publish)
 * chooses it. Pure functions.
 */
public final class KeyPartitioning {

    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private KeyPartitioning() {}

    public static int partitionForKey(byte[] key, int numPartitions) {
        return toPositive(murmur2(key)) % numPartitions;
    }

    /** MurmurHash2, 32-bit, with Kafka's seed; bytes are read little-endian four at a time. */
    public static int murmur2(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            int at = i << 2;
            int k = (data[at] & 0xff)
                    | ((data[at + 1] & 0xff) << 8)
                    | ((data[at + 2] & 0xff) << 16)
                    | ((data[at + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks << 2;
        int rest = length & 3;
        if (rest == 3) {
            h ^= (data[tail + 2] & 0xff) << 16;
        }
        if (rest >= 2) {
            h ^= (data[tail + 1] & 0xff) << 8;
        }
        if (rest >= 1) {
            h ^= data[tail] & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** Clears the sign bit (not {@code Math.abs}, which leaves {@code Integer.MIN_VALUE} negative). */
    public static int toPositive(int n) {
        return n & 0x7fffffff;
    }
}
