package io.ferry.replication;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.BufferLease;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.EpochEntry;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ReplicaLog} with the storage log's rules for replication: offsets assigned by the
 * leader, whole-batch reads and truncation, the high watermark clamped to the log, and the leader-epoch
 * history of {@code LeaderEpochCache} (an epoch is assigned before the batches it covers, and entries at or
 * past a new log end go with a truncation).
 *
 * <p>It also models the disk under the log, for the simulation. {@link #flush} makes everything appended so
 * far durable and {@link #checkpointHighWatermark} writes the high watermark checkpoint; {@link #crash}
 * loses the unflushed tail, cut at a random batch boundary at or after the flushed offset (recovery after
 * a power loss keeps exactly the whole batches that reached the disk), cuts the epoch history to the new
 * end as {@code Log.open} does (the storage log writes that history synchronously), and restores the high
 * watermark from its checkpoint. A truncation is durable at once.
 *
 * <p>A read with records carries a lease, as a storage log's does; {@link #leasesHeld} counts those not
 * released yet.
 *
 * <p>Thread-safe: every method holds the log's lock.
 */
public final class MemoryReplicaLog implements ReplicaLog {

    /** Sees every change of the log's batches, inside the call that makes it (the simulation's bookkeeping). */
    public interface Observer {

        Observer NONE = new Observer() {};

        /** {@code batch} was appended (as leader or follower). */
        default void appended(RecordBatch batch) {}

        /** Every batch at or after {@code newEnd} was removed (a truncation or a crash). */
        default void truncated(long newEnd) {}
    }

    final AtomicInteger leasesHeld = new AtomicInteger();
    /** Reads made of this log. */
    final AtomicInteger reads = new AtomicInteger();

    private final Observer observer;
    /** The batches from the log start to the log end, in offset order. */
    private final List<RecordBatch> batches = new ArrayList<>();
    /** Leader epoch history: strictly increasing epochs and start offsets. */
    private final List<EpochEntry> epochs = new ArrayList<>();

    private long startOffset;
    private long endOffset;
    private long highWatermark;
    private long flushedOffset;
    private long checkpointedHighWatermark;

    public MemoryReplicaLog() {
        this(Observer.NONE);
    }

    public MemoryReplicaLog(Observer observer) {
        this.observer = observer;
    }

    @Override
    public synchronized long logStartOffset() {
        return startOffset;
    }

    @Override
    public synchronized long logEndOffset() {
        return endOffset;
    }

    @Override
    public synchronized long highWatermark() {
        return highWatermark;
    }

    @Override
    public synchronized long updateHighWatermark(long offset) {
        highWatermark = clamp(offset);
        return highWatermark;
    }

    private long clamp(long offset) {
        return Math.max(startOffset, Math.min(offset, endOffset));
    }

    @Override
    public synchronized LogAppendInfo appendAsLeader(ByteBuffer bytes, int leaderEpoch) throws LogAppendException {
        List<RecordBatch> parsed = parse(bytes);
        int latest = latestEpoch().orElse(0);
        if (leaderEpoch < latest) {
            throw new LogAppendException(
                    LogAppendException.Reason.INVALID_LEADER_EPOCH,
                    "leader epoch " + leaderEpoch + " is below the log's latest epoch " + latest);
        }
        assignEpoch(leaderEpoch, endOffset);
        long first = endOffset;
        int records = 0;
        for (RecordBatch batch : parsed) {
            batch.setBaseOffset(endOffset);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            records += batch.recordCount();
            append(batch);
        }
        return new LogAppendInfo(first, endOffset - 1, -1, -1, records, bytes.remaining());
    }

    @Override
    public synchronized LogAppendInfo appendAsFollower(ByteBuffer bytes) throws LogAppendException {
        List<RecordBatch> parsed = parse(bytes);
        long expected = endOffset;
        int epoch = latestEpoch().orElse(0);
        for (RecordBatch batch : parsed) {
            if (batch.baseOffset() != expected) {
                throw new LogAppendException(
                        LogAppendException.Reason.NON_CONTIGUOUS_OFFSET,
                        "batch starts at offset " + batch.baseOffset() + " but the log expects " + expected);
            }
            if (batch.partitionLeaderEpoch() < epoch) {
                throw new LogAppendException(
                        LogAppendException.Reason.INVALID_LEADER_EPOCH,
                        "batch at offset " + batch.baseOffset() + " has leader epoch " + batch.partitionLeaderEpoch()
                                + ", below the latest epoch " + epoch + " before it");
            }
            expected = batch.nextOffset();
            epoch = batch.partitionLeaderEpoch();
        }
        long first = endOffset;
        int records = 0;
        for (RecordBatch batch : parsed) {
            assignEpoch(batch.partitionLeaderEpoch(), batch.baseOffset());
            records += batch.recordCount();
            append(batch);
        }
        return new LogAppendInfo(first, endOffset - 1, -1, -1, records, bytes.remaining());
    }

    /** Every batch of {@code bytes}, validated, each copied: the caller may reuse its buffer. */
    private static List<RecordBatch> parse(ByteBuffer bytes) throws LogAppendException {
        List<RecordBatch> parsed = new ArrayList<>();
        BatchScanner scanner = BatchScanner.of(bytes);
        try {
            for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                ByteBuffer copy =
                        ByteBuffer.allocate(b.sizeInBytes()).put(b.buffer()).flip();
                parsed.add(RecordBatch.wrap(copy));
            }
        } catch (CorruptBatchException e) {
            throw new LogAppendException(LogAppendException.Reason.CORRUPT_BATCH, e.getMessage(), e);
        }
        if (parsed.isEmpty()) {
            throw new LogAppendException(LogAppendException.Reason.EMPTY, "no batch");
        }
        return parsed;
    }

    private void append(RecordBatch batch) {
        batches.add(batch);
        endOffset = batch.nextOffset();
        observer.appended(batch);
    }

    @Override
    public synchronized LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive)
            throws OffsetOutOfRangeException {
        reads.incrementAndGet();
        if (offset < startOffset || offset > endOffset) {
            throw new OffsetOutOfRangeException(offset, startOffset, endOffset);
        }
        List<RecordBatch> selected = new ArrayList<>();
        int size = 0;
        for (int i = indexOfBatchHolding(offset); i >= 0 && i < batches.size(); i++) {
            RecordBatch b = batches.get(i);
            if (b.lastOffset() >= maxOffsetExclusive || (!selected.isEmpty() && size + b.sizeInBytes() > maxBytes)) {
                break;
            }
            selected.add(b);
            size += b.sizeInBytes();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (RecordBatch b : selected) {
            out.put(b.buffer());
        }
        if (selected.isEmpty()) {
            return new LogReadResult(out.flip().asReadOnlyBuffer(), startOffset, endOffset);
        }
        leasesHeld.incrementAndGet();
        return new LogReadResult(
                out.flip().asReadOnlyBuffer(), startOffset, endOffset, BufferLease.once(leasesHeld::decrementAndGet));
    }

    /** The index of the batch holding {@code offset}, or -1 if none does. Caller holds the lock. */
    private int indexOfBatchHolding(long offset) {
        int low = 0;
        int high = batches.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            RecordBatch b = batches.get(mid);
            if (b.lastOffset() < offset) {
                low = mid + 1;
            } else if (b.baseOffset() > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The batch that starts at {@code baseOffset}, or null if none does. */
    public synchronized RecordBatch batchAt(long baseOffset) {
        int i = indexOfBatchHolding(baseOffset);
        return i >= 0 && batches.get(i).baseOffset() == baseOffset ? batches.get(i) : null;
    }

    /** The batches whose base offset is in [{@code from}, {@code to}), in offset order. */
    public synchronized List<RecordBatch> batchesStartingIn(long from, long to) {
        List<RecordBatch> starting = new ArrayList<>();
        int i = indexOfBatchHolding(from);
        for (int j = i < 0 ? 0 : i; j < batches.size() && batches.get(j).baseOffset() < to; j++) {
            if (batches.get(j).baseOffset() >= from) {
                starting.add(batches.get(j));
            }
        }
        return starting;
    }

    @Override
    public synchronized void truncateTo(long offset) {
        if (offset >= endOffset) {
            // As the storage log: no batch goes, but an epoch assigned at the end without batches does.
            epochs.removeIf(e -> e.startOffset() >= endOffset);
            return;
        }
        if (offset < startOffset) {
            truncateFullyAndStartAt(offset);
            return;
        }
        int keep = indexOfBatchHolding(offset);
        cut(keep < 0 ? batches.size() : keep);
    }

    /** Keeps the first {@code keep} batches. Caller holds the lock. */
    private void cut(int keep) {
        batches.subList(keep, batches.size()).clear();
        endOffset = batches.isEmpty()
                ? startOffset
                : batches.get(batches.size() - 1).nextOffset();
        epochs.removeIf(e -> e.startOffset() >= endOffset);
        highWatermark = clamp(highWatermark);
        flushedOffset = Math.min(flushedOffset, endOffset);
        observer.truncated(endOffset);
    }

    @Override
    public synchronized void truncateFullyAndStartAt(long offset) {
        batches.clear();
        epochs.clear();
        startOffset = offset;
        endOffset = offset;
        highWatermark = offset;
        flushedOffset = offset;
        observer.truncated(offset);
    }

    @Override
    public synchronized boolean advanceLogStartOffset(long offset) {
        if (offset <= startOffset) {
            return false;
        }
        if (offset > endOffset) {
            throw new IllegalArgumentException("cannot start the log at " + offset + ", above its end " + endOffset);
        }
        batches.removeIf(b -> b.nextOffset() <= offset);
        startOffset = offset;
        highWatermark = clamp(highWatermark);
        flushedOffset = Math.max(flushedOffset, startOffset);
        // As LeaderEpochCache.truncateFromStart: the last entry at or before the new start now starts there.
        int covering = -1;
        while (covering + 1 < epochs.size() && epochs.get(covering + 1).startOffset() <= offset) {
            covering++;
        }
        if (covering >= 0) {
            EpochEntry moved = new EpochEntry(epochs.get(covering).epoch(), offset);
            epochs.subList(0, covering + 1).clear();
            epochs.add(0, moved);
        }
        return true;
    }

    @Override
    public synchronized OptionalInt latestEpoch() {
        return epochs.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(epochs.get(epochs.size() - 1).epoch());
    }

    /** As {@code LeaderEpochCache.endOffsetFor}. */
    @Override
    public synchronized EpochEndOffset endOffsetForEpoch(int epoch) {
        if (epoch < 0 || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry latest = epochs.get(epochs.size() - 1);
        if (epoch == latest.epoch()) {
            return new EpochEndOffset(epoch, endOffset);
        }
        if (epoch > latest.epoch()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry floor = null;
        for (EpochEntry entry : epochs) {
            if (entry.epoch() > epoch) {
                return new EpochEndOffset(floor == null ? epoch : floor.epoch(), entry.startOffset());
            }
            floor = entry;
        }
        throw new AssertionError("an entry above epoch " + epoch + " exists");
    }

    @Override
    public synchronized OptionalLong offsetForTimestamp(long timestampMs) {
        for (RecordBatch b : batches) {
            if (b.maxTimestamp() >= timestampMs) {
                return OptionalLong.of(Math.max(startOffset, b.baseOffset()));
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public synchronized void assignEpochStartOffset(int leaderEpoch) {
        assignEpoch(leaderEpoch, endOffset);
    }

    /** As {@code LeaderEpochCache.assign}. Caller holds the lock. */
    private void assignEpoch(int epoch, long start) {
        if (!epochs.isEmpty()) {
            EpochEntry latest = epochs.get(epochs.size() - 1);
            if (latest.epoch() == epoch && latest.startOffset() <= start) {
                return;
            }
        }
        while (!epochs.isEmpty()) {
            EpochEntry last = epochs.get(epochs.size() - 1);
            if (last.epoch() < epoch && last.startOffset() < start) {
                break;
            }
            epochs.remove(epochs.size() - 1);
        }
        epochs.add(new EpochEntry(epoch, start));
    }

    /** The leader-epoch history, oldest first. */
    public synchronized List<EpochEntry> epochEntries() {
        return List.copyOf(epochs);
    }

    @Override
    public synchronized long sizeInBytes() {
        return batches.stream().mapToLong(RecordBatch::sizeInBytes).sum();
    }

    @Override
    public synchronized int segmentCount() {
        return 1;
    }

    /** Makes every batch appended so far durable. */
    public synchronized void flush() {
        flushedOffset = endOffset;
    }

    /** Writes the high watermark checkpoint (the storage log's replication-offset-checkpoint). */
    public synchronized void checkpointHighWatermark() {
        checkpointedHighWatermark = highWatermark;
    }

    /**
     * A power loss and the recovery after it: keeps the flushed batches and a random number of the ones after
     * them, cuts the epoch history to the new end and restores the checkpointed high watermark.
     *
     * @return the log end offset after recovery
     */
    public synchronized long crash(Random random) {
        int firstUnflushed = batches.size();
        while (firstUnflushed > 0 && batches.get(firstUnflushed - 1).baseOffset() >= flushedOffset) {
            firstUnflushed--;
        }
        int keep = firstUnflushed + random.nextInt(batches.size() - firstUnflushed + 1);
        highWatermark = checkpointedHighWatermark;
        // As Log.open, the epoch history is cut to end below the log end: an epoch assigned at the end, with no
        // batch yet, is forgotten too.
        cut(keep);
        flushedOffset = endOffset;
        return endOffset;
    }
}
