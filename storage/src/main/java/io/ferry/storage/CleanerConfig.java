package io.ferry.storage;

/**
 * The log cleaner's settings (log compaction), with Kafka's key names and defaults.
 *
 * @param threads              {@code log.cleaner.threads}: logs cleaned at once; 0 turns compaction off
 * @param dedupeBufferBytes    {@code log.cleaner.dedupe.buffer.size}: memory for the key maps, shared
 *                             equally by the threads; bounds how many keys one pass can dedupe
 * @param loadFactor           {@code log.cleaner.io.buffer.load.factor}: the fullest a key map may get
 * @param ioMaxBytesPerSecond  {@code log.cleaner.io.max.bytes.per.second}: bytes the cleaner threads together
 *                             read and write per second at most, so compaction cannot starve produce and
 *                             fetch of disk bandwidth; {@link Long#MAX_VALUE} is no limit
 * @param backoffMs            {@code log.cleaner.backoff.ms}: how long a thread with nothing to clean sleeps
 */
public record CleanerConfig(
        int threads, long dedupeBufferBytes, double loadFactor, long ioMaxBytesPerSecond, long backoffMs) {

    public static final int DEFAULT_THREADS = 1;
    public static final long DEFAULT_DEDUPE_BUFFER_BYTES = 128L * 1024 * 1024;
    public static final double DEFAULT_LOAD_FACTOR = 0.9;
    public static final long DEFAULT_IO_MAX_BYTES_PER_SECOND = Long.MAX_VALUE;
    public static final long DEFAULT_BACKOFF_MS = 15_000L;

    /** Smallest key map a thread may get: Kafka's lower bound for the per-thread dedupe buffer. */
    public static final long MIN_DEDUPE_BYTES_PER_THREAD = 1024 * 1024;

    public CleanerConfig {
        if (threads < 0) {
            throw new IllegalArgumentException("log.cleaner.threads is " + threads + " but must be non-negative");
        }
        if (threads > 0 && dedupeBufferBytes / threads < MIN_DEDUPE_BYTES_PER_THREAD) {
            throw new IllegalArgumentException("log.cleaner.dedupe.buffer.size is " + dedupeBufferBytes
                    + " but must give each of the " + threads + " log.cleaner.threads at least "
                    + MIN_DEDUPE_BYTES_PER_THREAD + " bytes");
        }
        if (!(loadFactor > 0 && loadFactor <= 1)) {
            throw new IllegalArgumentException(
                    "log.cleaner.io.buffer.load.factor is " + loadFactor + " but must be in (0, 1]");
        }
        if (ioMaxBytesPerSecond <= 0) {
            throw new IllegalArgumentException(
                    "log.cleaner.io.max.bytes.per.second is " + ioMaxBytesPerSecond + " but must be positive");
        }
        if (backoffMs <= 0) {
            throw new IllegalArgumentException("log.cleaner.backoff.ms is " + backoffMs + " but must be positive");
        }
    }

    /** Kafka's defaults: one thread, 128 MiB of key maps, no I/O limit, 15 s backoff. */
    public static CleanerConfig defaults() {
        return new CleanerConfig(
                DEFAULT_THREADS,
                DEFAULT_DEDUPE_BUFFER_BYTES,
                DEFAULT_LOAD_FACTOR,
                DEFAULT_IO_MAX_BYTES_PER_SECOND,
                DEFAULT_BACKOFF_MS);
    }

    /**
     * Bytes of key map per thread: the buffer shared equally, at most 2 GiB minus a slot each (one Java
     * array), as Kafka caps it.
     */
    public int dedupeBytesPerThread() {
        return (int) Math.min(Integer.MAX_VALUE - 64, dedupeBufferBytes / threads);
    }
}
