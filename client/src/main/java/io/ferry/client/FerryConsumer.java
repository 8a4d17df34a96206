package io.ferry.client;

import io.ferry.client.ConsumerConfig.OffsetReset;
import io.ferry.client.internal.Channels;
import io.ferry.client.internal.ConsumerGroup;
import io.ferry.client.internal.Fetcher;
import io.ferry.client.internal.GroupCoordinatorCalls;
import io.ferry.client.internal.GroupMembership.Reconciliation;
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
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records from assigned partitions, the way Kafka's consumer does with {@code assign()}: each
 * partition has a position; {@link #poll} long-polls each partition leader with one Fetch covering
 * its partitions, returns up to {@code max.poll.records} records and advances the positions. Leader
 * changes (NOT_LEADER, FENCED_LEADER_EPOCH, transport failures) refresh the metadata and fetch again;
 * a position outside the log is reset by {@code auto.offset.reset}. A batch that cannot be decoded is
 * reported with its offsets once the records before it are returned ({@link CorruptRecordBatchException}),
 * or skipped with {@code skip.corrupt.batches=true}.
 *
 * <p>With a {@code group.id}, {@link #subscribe} joins the group (KIP-848, as Kafka's consumer with
 * {@code group.protocol=consumer}): a heartbeat thread of the consumer's own keeps the membership, the
 * coordinator assigns the partitions, and {@link #poll} applies its changes on the caller's thread, telling
 * the {@link ConsumerRebalanceListener}. Positions are committed with {@link #commitSync}, and with
 * {@code enable.auto.commit} every {@code auto.commit.interval.ms}, before a revocation and at close.
 *
 * <p><b>Not thread-safe</b>, like Kafka's consumer: use it from one thread at a time; a call while
 * another thread is inside one throws {@link ConcurrentModificationException}.
 */
public final class FerryConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FerryConsumer.class);

    private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };

    private final ConsumerConfig config;
    private final Channels channels;
    private final MetadataManager metadata;
    private final OffsetLookup offsets;
    private final Fetcher fetcher;
    /** Null without a {@code group.id}. */
    private final ConsumerGroup group;

    private final Map<TopicPartition, PartitionFetchState> assignment = new LinkedHashMap<>();
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    /** Calls of the owning thread in progress; only that thread reads or writes it. */
    private int depth;

    private int nextPartition;
    private boolean closed;
    private boolean subscribed;
    private ConsumerRebalanceListener listener;
    private long nextAutoCommitNanos;

    public FerryConsumer(ConsumerConfig config) {
        this.config = config;
        this.channels = new Channels(
                Math.max(config.fetchMaxBytes(), config.maxPartitionFetchBytes()) + (1 << 20),
                config.channelCredentials(),
                config.clientId(),
                config.saslLogin());
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
        this.group = config.groupId().isEmpty()
                ? null
                : new ConsumerGroup(config, new GroupCoordinatorCalls(metadata, config.bootstrapServers(), channels));
    }

    /** Joins the group with these topics; the group assigns their partitions. */
    public void subscribe(Collection<String> topics) {
        subscribe(topics, NO_LISTENER);
    }

    /** Joins the group with these topics, telling {@code listener} of each change of partitions (inside poll). */
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        topics.forEach(t -> {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("topic names to subscribe to must not be empty");
            }
        });
        subscribe(Set.copyOf(topics), null, listener);
    }

    /**
     * Joins the group with the topics whose names match {@code pattern}, which the coordinator evaluates (in
     * RE2 syntax, the same as Java's for common expressions), so topics created later join the subscription.
     */
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        subscribe(Set.of(), pattern.pattern(), listener);
    }

    private void subscribe(Set<String> topics, String regex, ConsumerRebalanceListener listener) {
        enter();
        try {
            if (group == null) {
                throw new IllegalStateException("subscribe() needs a group.id in the consumer's configuration");
            }
            if (!subscribed && !assignment.isEmpty()) {
                throw new IllegalStateException("subscribe() after assign(): call unsubscribe() first");
            }
            topics.forEach(metadata::addTopic);
            this.listener = listener;
            subscribed = true;
            nextAutoCommitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
            group.subscribe(topics, regex);
        } finally {
            exit();
        }
    }

    /**
     * Gives up the partitions (committing their positions first with auto-commit, then telling the listener)
     * and leaves the group; also drops an {@code assign()}ed set.
     */
    public void unsubscribe() {
        enter();
        try {
            if (subscribed) {
                Set<TopicPartition> owned = Set.copyOf(assignment.keySet());
                revoke(owned, false);
                group.applied(new Reconciliation(owned, Set.of(), false), Set.of());
                group.unsubscribe();
                subscribed = false;
            }
            assignment.clear();
        } finally {
            exit();
        }
    }

    /** Replaces the assignment (not while subscribed); partitions kept keep their positions. */
    public void assign(Collection<TopicPartition> partitions) {
        enter();
        try {
            if (subscribed) {
                throw new IllegalStateException("assign() while subscribed to a group: call unsubscribe() first");
            }
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
            if (assignment.isEmpty() && !subscribed) {
                throw new IllegalStateException("poll() needs partitions; call assign() or subscribe() first");
            }
            long timeoutMs = timeout.toMillis();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            do {
                if (subscribed) {
                    group.polled();
                    group.runCallbacks();
                    reconcile();
                    maybeAutoCommit();
                    if (assignment.isEmpty()) {
                        group.awaitReconciliation(deadline);
                        continue;
                    }
                }
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

    /**
     * Applies the group's assignment change: lost partitions are dropped (onPartitionsLost, nothing
     * committed: they may be others' already); revoked ones are committed (auto-commit), told
     * (onPartitionsRevoked) and dropped; new ones start at their committed offsets, else by
     * {@code auto.offset.reset} (onPartitionsAssigned). Then the heartbeat thread reports what is owned.
     */
    private void reconcile() {
        Reconciliation change = group.reconciliation();
        if (change.lost()) {
            assignment.keySet().removeAll(change.revoked());
            if (!change.revoked().isEmpty()) {
                listener.onPartitionsLost(change.revoked());
            }
        } else if (change.isEmpty()) {
            return;
        } else {
            revoke(change.revoked(), config.enableAutoCommit());
            Map<TopicPartition, OffsetAndMetadata> committed = group.committed(change.assigned());
            for (TopicPartition tp : change.assigned()) {
                PartitionFetchState state = new PartitionFetchState();
                OffsetAndMetadata offset = committed.get(tp);
                if (offset != null) {
                    state.seek(offset.offset());
                }
                metadata.addTopic(tp.topic());
                assignment.put(tp, state);
            }
            if (!change.assigned().isEmpty()) {
                listener.onPartitionsAssigned(change.assigned());
            }
        }
        group.applied(change, Set.copyOf(assignment.keySet()));
    }

    /** Stops owning the partitions: commits their positions first when asked, then tells the listener. */
    private void revoke(Set<TopicPartition> partitions, boolean commit) {
        if (partitions.isEmpty()) {
            return;
        }
        if (commit) {
            commitQuietly(positions(partitions));
        }
        listener.onPartitionsRevoked(partitions);
        assignment.keySet().removeAll(partitions);
    }

    /** Every {@code auto.commit.interval.ms}: commits the positions, i.e. what earlier polls returned. */
    private void maybeAutoCommit() {
        long now = System.nanoTime();
        if (config.enableAutoCommit() && now - nextAutoCommitNanos >= 0) {
            nextAutoCommitNanos = now + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
            commitQuietly(positions(assignment.keySet()));
        }
    }

    /** An automatic commit: its failure is logged, not thrown (the next one commits newer positions). */
    private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            group.commit(offsets);
        } catch (FerryException e) {
            LOG.warn("group {}: automatic commit of {} failed: {}", config.groupId(), offsets.keySet(), e.getMessage());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> positions(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionFetchState state = assignment.get(tp);
            if (state != null && state.position >= 0) {
                out.put(tp, new OffsetAndMetadata(state.position, ""));
            }
        }
        return out;
    }

    /**
     * Commits the positions of every owned partition (the offsets after the records polls returned),
     * waiting for the coordinator's answer at most {@code default.api.timeout.ms}.
     *
     * @throws FerryException for a refused commit (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID: the partitions
     *                        were taken away meanwhile)
     */
    public void commitSync() {
        enter();
        try {
            requireGroup("commitSync()");
            group.commit(positions(assignment.keySet()));
        } finally {
            exit();
        }
    }

    /**
     * Commits the positions of every owned partition without waiting; {@code callback} is told the outcome
     * inside a later {@link #poll}, commit or {@link #close}. Commits happen in the order they were asked for.
     */
    public void commitAsync(OffsetCommitCallback callback) {
        enter();
        try {
            requireGroup("commitAsync()");
            group.commitAsync(positions(assignment.keySet()), callback);
        } finally {
            exit();
        }
    }

    /** {@link #commitAsync(OffsetCommitCallback)} logging a failure. */
    public void commitAsync() {
        commitAsync((offsets, e) -> {
            if (e != null) {
                LOG.warn("group {}: commit of {} failed: {}", config.groupId(), offsets.keySet(), e.getMessage());
            }
        });
    }

    /** Commits the given offsets (each the next offset to read) as this member. */
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        enter();
        try {
            requireGroup("commitSync()");
            group.commit(Map.copyOf(offsets));
        } finally {
            exit();
        }
    }

    /** The group's committed offsets of the partitions; a partition without one is missing from the map. */
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        enter();
        try {
            requireGroup("committed()");
            return group.committed(partitions);
        } finally {
            exit();
        }
    }

    private void requireGroup(String call) {
        if (group == null) {
            throw new IllegalStateException(call + " needs a group.id in the consumer's configuration");
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
        depth++;
    }

    /** Releases the consumer when the outermost call returns (a rebalance listener calls in from poll). */
    private void exit() {
        if (--depth == 0) {
            owner.set(null);
        }
    }

    /** Gives up the partitions as a revocation (committing with auto-commit), then leaves the group. */
    private void closeGroup() {
        enter();
        try {
            if (subscribed) {
                revoke(Set.copyOf(assignment.keySet()), config.enableAutoCommit());
            }
        } catch (RuntimeException e) {
            LOG.warn("group {}: giving up the partitions at close failed: {}", config.groupId(), e.toString());
        } finally {
            exit();
            group.close();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (group != null) {
            closeGroup();
        }
        closed = true;
        metadata.close();
        channels.close();
    }
}
