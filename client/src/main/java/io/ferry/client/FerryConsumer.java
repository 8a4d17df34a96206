package io.ferry.client;

import io.ferry.client.ConsumerConfig.OffsetReset;
import io.ferry.client.internal.Channels;
import io.ferry.client.internal.Fetcher;
import io.ferry.client.internal.MetadataManager;
import io.ferry.client.internal.OffsetLookup;
import io.ferry.client.internal.PartitionFetchState;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records from assigned partitions, the way Kafka's consumer does with {@code assign()}: each
 * partition has a position; {@link #poll} long-polls each partition leader with one Fetch covering
 * its partitions, returns up to {@code max.poll.records} records and advances the positions. Leader
 * changes (NOT_LEADER, FENCED_LEADER_EPOCH, transport failures) refresh the metadata and fetch again;
 * a position outside the log is reset by {@code auto.offset.reset}. A batch that cannot be decoded is
 * reported with its offsets once the records before it are returned ({@link CorruptRecordBatchException}),
 * or skipped with {@code skip.corrupt.batches=true}. No consumer groups yet.
 *
 * <p><b>Not thread-safe</b>, like Kafka's consumer: use it from one thread at a time; a call while
 * another thread is inside one throws {@link ConcurrentModificationException}.
 */
public final class FerryConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FerryConsumer.class);

    private final ConsumerConfig config;
    private final Channels channels;
    private final MetadataManager metadata;
    private final OffsetLookup offsets;
    private final Fetcher fetcher;
    private final Map<TopicPartition, PartitionFetchState> assignment = new LinkedHashMap<>();
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private int nextPartition;
    private boolean closed;

    public FerryConsumer(ConsumerConfig config) {
        this.config = config;
        this.channels = new Channels(Math.max(config.fetchMaxBytes(), config.maxPartitionFetchBytes()) + (1 << 20));
        String id = config.clientId().isEmpty() ? "" : "-" + config.clientId();
        this.metadata = new MetadataManager(
                config.bootstrapServers(),
                channels,
                config.retryBackoffMs(),
                config.requestTimeoutMs(),
                config.metadataMaxAgeMs(),
                "ferry-consumer" + id + "-metadata",
                () -> {});
        this.offsets = new OffsetLookup(metadata, channels, config.requestTimeoutMs());
        this.fetcher = new Fetcher(metadata, channels, config);
    }

    /** Replaces the assignment; partitions kept keep their positions. */
    public void assign(Collection<TopicPartition> partitions) {
        enter();
        try {
            Map<TopicPartition, PartitionFetchState> next = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                next.put(tp, assignment.getOrDefault(tp, new PartitionFetchState()));
                metadata.addTopic(tp.topic());
            }
            assignment.clear();
            assignment.putAll(next);
        } finally {
            exit();
        }
    }

    public Set<TopicPartition> assignment() {
        return Set.copyOf(assignment.keySet());
    }

    /** The next poll returns records from {@code offset} on. */
    public void seek(TopicPartition tp, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("seek offset must be >= 0, was " + offset);
        }
        enter();
        try {
            state(tp).seek(offset);
        } finally {
            exit();
        }
    }

    /** Moves to each partition's log start offset, looked up on the next poll or position call. */
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        requestReset(partitions, OffsetReset.EARLIEST);
    }

    /** Moves to each partition's end (its high watermark), looked up on the next poll or position call. */
    public void seekToEnd(Collection<TopicPartition> partitions) {
        requestReset(partitions, OffsetReset.LATEST);
    }

    private void requestReset(Collection<TopicPartition> partitions, OffsetReset reset) {
        enter();
        try {
            for (TopicPartition tp : partitions) {
                PartitionFetchState state = state(tp);
                state.clearBuffer();
                state.pendingReset = reset;
            }
        } finally {
            exit();
        }
    }

    /** The offset of the next record poll returns for {@code tp}, resolving a pending reset first. */
    public long position(TopicPartition tp) {
        enter();
        try {
            PartitionFetchState state = state(tp);
            if (state.needsPosition()) {
                long timeout = config.defaultApiTimeoutMs();
                resolvePositions(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout), timeout);
            }
            return state.position;
        } finally {
            exit();
        }
    }

    /**
     * For each partition, the first offset whose record timestamp is at or after the given one, or a
     * null value when there is none. Waits up to {@code default.api.timeout.ms}.
     */
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        timestamps.forEach((tp, ts) -> {
            if (ts < 0) {
                throw new IllegalArgumentException("timestamp of " + tp + " must be >= 0, was " + ts);
            }
        });
        Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
        lookup(timestamps)
                .forEach((tp, r) -> out.put(
                        tp, r.getOffset() < 0 ? null : new OffsetAndTimestamp(r.getOffset(), r.getTimestamp())));
        return out;
    }

    /** Each partition's log start offset. */
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return offsetsAt(partitions, OffsetLookup.EARLIEST);
    }

    /** Each partition's end offset (high watermark): the offset the next record will get. */
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return offsetsAt(partitions, OffsetLookup.LATEST);
    }

    private Map<TopicPartition, Long> offsetsAt(Collection<TopicPartition> partitions, long which) {
        Map<TopicPartition, Long> ask = new LinkedHashMap<>();
        partitions.forEach(tp -> ask.put(tp, which));
        Map<TopicPartition, Long> out = new HashMap<>();
        lookup(ask).forEach((tp, r) -> out.put(tp, r.getOffset()));
        return out;
    }

    private Map<TopicPartition, ListOffsetsPartitionResult> lookup(Map<TopicPartition, Long> timestamps) {
        enter();
        try {
            long timeout = config.defaultApiTimeoutMs();
            return offsets.list(timestamps, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout), timeout);
        } finally {
            exit();
        }
    }

    /**
     * Returns the records available from the positions, waiting up to {@code timeout} for some. An
     * empty result means none arrived in time.
     *
     * @throws OffsetOutOfRangeException   when a position is invalid and {@code auto.offset.reset=none}
     * @throws CorruptRecordBatchException when a partition's next batch cannot be decoded (after the records
     *                                     before it were returned) and {@code skip.corrupt.batches} is
     *                                     false or cannot tell where it ends; seek past it to go on
     * @throws FerryException              for a non-retriable broker error
     */
    public ConsumerRecords poll(Duration timeout) {
        enter();
        try {
            if (assignment.isEmpty()) {
                throw new IllegalStateException("poll() needs assigned partitions; call assign() first");
            }
            long timeoutMs = timeout.toMillis();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            do {
                try {
                    resolvePositions(deadline, timeoutMs);
                } catch (FerryTimeoutException e) {
                    // Partitions without a position yet are skipped this time; poll() never throws for time.
                }
                ConsumerRecords records = drain();
                if (records.isEmpty()) {
                    if (fetcher.fetch(assignment, deadline)) {
                        awaitMetadata(deadline);
                    }
                    records = drain();
                }
                if (!records.isEmpty()) {
                    fetcher.prefetch(assignment);
                    return records;
                }
            } while (deadline - System.nanoTime() > 0);
            return ConsumerRecords.empty();
        } finally {
            exit();
        }
    }

    private void awaitMetadata(long deadlineNanos) {
        try {
            metadata.awaitUpdate(deadlineNanos);
        } catch (FerryTimeoutException e) {
            // poll() returns empty at its deadline; the next poll tries again.
        }
    }

    /** Looks up positions for partitions that have none or have a reset pending. */
    private void resolvePositions(long deadlineNanos, long timeoutMs) {
        Map<TopicPartition, Long> ask = new LinkedHashMap<>();
        Map<TopicPartition, Long> noPosition = new LinkedHashMap<>();
        assignment.forEach((tp, state) -> {
            if (!state.needsPosition()) {
                return;
            }
            OffsetReset reset = state.pendingReset != null ? state.pendingReset : config.autoOffsetReset();
            switch (reset) {
                case EARLIEST -> ask.put(tp, OffsetLookup.EARLIEST);
                case LATEST -> ask.put(tp, OffsetLookup.LATEST);
                case NONE -> noPosition.put(tp, state.position);
            }
        });
        if (!noPosition.isEmpty()) {
            throw new OffsetOutOfRangeException(
                    "No position for " + noPosition.keySet() + " and auto.offset.reset is none; seek first",
                    noPosition);
        }
        if (!ask.isEmpty()) {
            offsets.list(ask, deadlineNanos, timeoutMs)
                    .forEach((tp, r) -> assignment.get(tp).seek(r.getOffset()));
        }
    }

    /** Takes buffered records, up to max.poll.records, rotating the starting partition for fairness. */
    private ConsumerRecords drain() {
        int budget = config.maxPollRecords();
        Map<TopicPartition, List<ConsumerRecord>> out = new LinkedHashMap<>();
        List<TopicPartition> order = new ArrayList<>(assignment.keySet());
        int n = order.size();
        int start = Math.floorMod(nextPartition++, n);
        for (int i = 0; i < n && budget > 0; i++) {
            TopicPartition tp = order.get((start + i) % n);
            PartitionFetchState state = assignment.get(tp);
            List<ConsumerRecord> taken = null;
            while (budget > 0 && !state.buffered.isEmpty()) {
                ConsumerRecord record = state.buffered.poll();
                if (taken == null) {
                    taken = new ArrayList<>();
                    out.put(tp, taken);
                }
                taken.add(record);
                state.position = record.offset() + 1;
                budget--;
            }
            if (state.buffered.isEmpty() && state.bufferEnd >= 0) {
                state.position = Math.max(state.position, state.bufferEnd);
                state.bufferEnd = -1;
                state.fetchedAhead = false;
            }
            if (state.buffered.isEmpty() && state.corrupt != null) {
                passCorrupt(tp, state, out.isEmpty());
            }
        }
        return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords(out);
    }

    /**
     * The partition's next batch cannot be decoded. It is skipped when {@code skip.corrupt.batches} allows
     * and its end is known; otherwise it is thrown, unless this poll already has records to return (it
     * stays for the next poll). Once thrown it is forgotten, so the next poll fetches it again: a leader
     * elected since may hold a readable copy.
     */
    private void passCorrupt(TopicPartition tp, PartitionFetchState state, boolean nothingToReturn) {
        CorruptRecordBatchException corrupt = state.corrupt;
        if (config.skipCorruptBatches() && corrupt.nextOffset() >= 0) {
            LOG.warn(
                    "{}: skipped offsets {}..{}, a batch that cannot be decoded ({}: {}), as {}=true",
                    tp,
                    corrupt.baseOffset(),
                    corrupt.lastOffset(),
                    corrupt.problem(),
                    corrupt.getCause().getMessage(),
                    ConsumerConfig.SKIP_CORRUPT_BATCHES);
            state.corrupt = null;
            state.position = corrupt.nextOffset();
        } else if (nothingToReturn) {
            state.corrupt = null;
            throw corrupt;
        }
    }

    private PartitionFetchState state(TopicPartition tp) {
        PartitionFetchState state = assignment.get(tp);
        if (state == null) {
            throw new IllegalStateException("partition " + tp + " is not assigned to this consumer");
        }
        return state;
    }

    private void enter() {
        if (closed) {
            throw new IllegalStateException("the consumer is closed");
        }
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me) && owner.get() != me) {
            throw new ConcurrentModificationException("FerryConsumer is not safe for multi-threaded access");
        }
    }

    private void exit() {
        owner.set(null);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        metadata.close();
        channels.close();
    }
}
