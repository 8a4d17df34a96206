package io.ferry.cli.internal;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The keys of {@code ferry perf produce --key-space N}: each record's key is drawn uniformly from
 * {@code N} distinct keys, {@code key-00000000} to {@code key-<N-1>} ({@code "key-%08d"}), by
 * {@link Random#nextInt(int)} from a fixed seed, so two runs, and a Kafka load generator that draws
 * {@code String.format("key-%08d", new Random(SEED).nextInt(N))}, send the same key sequence.
 *
 * <p>Not thread-safe: the producing thread owns it.
 */
final class KeySpace {

    /** The seed of every run's key sequence. */
    static final long SEED = 42;

    private static final byte[] PREFIX = "key-".getBytes(StandardCharsets.US_ASCII);
    /** Zero-padded to 8 digits, as {@code %08d}; an index of 10^8 or more takes the digits it needs. */
    private static final int MIN_DIGITS = 8;

    private final int size;
    private final Random random;

    KeySpace(int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("a key space needs at least one key, was " + size);
        }
        this.size = size;
        this.random = new Random(seed);
    }

    /** The next key of the sequence, a new array. */
    byte[] next() {
        return key(random.nextInt(size));
    }

    /**
     * {@code String.format("key-%08d", index).getBytes(US_ASCII)} without the formatter, which would cost
     * the producing thread about a microsecond a record.
     */
    static byte[] key(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("key index must be non-negative, was " + index);
        }
        int digits = MIN_DIGITS;
        for (int rest = index / 100_000_000; rest > 0; rest /= 10) {
            digits++;
        }
        byte[] key = new byte[PREFIX.length + digits];
        System.arraycopy(PREFIX, 0, key, 0, PREFIX.length);
        for (int i = key.length - 1, rest = index; i >= PREFIX.length; i--, rest /= 10) {
            key[i] = (byte) ('0' + rest % 10);
        }
        return key;
    }
}
