package io.ferry.replication;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.BufferLease;
import io.ferry.storage.EpochEndOffset;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendInfo;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ReplicaLog} with the storage log's offset rules, for tests without files. A read with
 * records carries a lease, as a storage log's does; {@link #leasesHeld} counts those not released yet.
 */
final class MemoryReplicaLog implements ReplicaLog {

    final AtomicInteger leasesHeld = new AtomicInteger();
    private final List<RecordBatch> batches = new ArrayList<>();
    final List<int[]> epochStarts = new ArrayList<>();
    private long endOffset;
    private long highWatermark;

    @Override
    public synchronized long logStartOffset() {
        return 0;
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
        highWatermark = Math.max(0, Math.min(offset, endOffset));
        return highWatermark;
    }

    @Override
    public synchronized LogAppendInfo appendAsLeader(ByteBuffer bytes, int leaderEpoch) throws LogAppendException {
        List<RecordBatch> parsed = new ArrayList<>();
        BatchScanner scanner = BatchScanner.of(bytes);
        try {
            for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                parsed.add(b);
            }
        } catch (CorruptBatchException e) {
            throw new LogAppendException(LogAppendException.Reason.CORRUPT_BATCH, e.getMessage(), e);
        }
        if (parsed.isEmpty()) {
            throw new LogAppendException(LogAppendException.Reason.EMPTY, "no batch");
        }
        long first = endOffset;
        int records = 0;
        for (RecordBatch b : parsed) {
            b.setBaseOffset(endOffset);
            b.setPartitionLeaderEpoch(leaderEpoch);
            endOffset = b.nextOffset();
            records += b.recordCount();
            batches.add(b);
        }
        return new LogAppendInfo(first, endOffset - 1, -1, 0, records, bytes.remaining());
    }

    @Override
    public synchronized LogReadResult read(long offset, int maxBytes, long maxOffsetExclusive)
            throws OffsetOutOfRangeException {
        if (offset < 0 || offset > endOffset) {
            throw new OffsetOutOfRangeException(offset, 0, endOffset);
        }
        List<RecordBatch> selected = new ArrayList<>();
        int size = 0;
        for (RecordBatch b : batches) {
            if (b.lastOffset() < offset) {
                continue;
            }
            if (b.lastOffset() >= maxOffsetExclusive || (!selected.isEmpty() && size + b.sizeInBytes() > maxBytes)) {
                break;
            }
            selected.add(b);
            size += b.sizeInBytes();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (RecordBatch b : selected) {
            out.put(b.buffer().duplicate());
        }
        if (selected.isEmpty()) {
            return new LogReadResult(out.flip().asReadOnlyBuffer(), 0, endOffset);
        }
        leasesHeld.incrementAndGet();
        return new LogReadResult(out.flip().asReadOnlyBuffer(), 0, endOffset, BufferLease.once(leasesHeld::decrementAndGet));
    }

    @Override
    public synchronized LogAppendInfo appendAsFollower(ByteBuffer bytes) throws LogAppendException {
        long first = endOffset;
        int records = 0;
        BatchScanner scanner = BatchScanner.of(bytes);
        try {
            for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                if (b.baseOffset() != endOffset) {
                    throw new LogAppendException(LogAppendException.Reason.NON_CONTIGUOUS_OFFSET, "gap at " + endOffset);
                }
                if (latestEpoch().orElse(-1) != b.partitionLeaderEpoch()) {
                    epochStarts.add(new int[] {b.partitionLeaderEpoch(), (int) b.baseOffset()});
                }
                endOffset = b.nextOffset();
                records += b.recordCount();
                batches.add(b);
            }
        } catch (CorruptBatchException e) {
            throw new LogAppendException(LogAppendException.Reason.CORRUPT_BATCH, e.getMessage(), e);
        }
        return new LogAppendInfo(first, endOffset - 1, -1, 0, records, bytes.remaining());
    }

    @Override
    public synchronized void truncateTo(long offset) {
        batches.removeIf(b -> b.lastOffset() >= offset);
        endOffset = batches.isEmpty() ? 0 : batches.get(batches.size() - 1).nextOffset();
        epochStarts.removeIf(e -> e[1] >= endOffset && !(e[1] == endOffset && e == epochStarts.get(0)));
        highWatermark = Math.min(highWatermark, endOffset);
    }

    @Override
    public synchronized void truncateFullyAndStartAt(long offset) {
        throw new UnsupportedOperationException("the in-memory log always starts at 0");
    }

    @Override
    public synchronized boolean advanceLogStartOffset(long offset) {
        throw new UnsupportedOperationException("the in-memory log always starts at 0");
    }

    @Override
    public synchronized OptionalInt latestEpoch() {
        return epochStarts.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochStarts.get(epochStarts.size() - 1)[0]);
    }

    @Override
    public synchronized EpochEndOffset endOffsetForEpoch(int epoch) {
        EpochEndOffset found = EpochEndOffset.UNDEFINED;
        for (int i = 0; i < epochStarts.size(); i++) {
            int[] e = epochStarts.get(i);
            if (e[0] > epoch) {
                return found.isUndefined() ? found : new EpochEndOffset(found.epoch(), e[1]);
            }
            found = new EpochEndOffset(e[0], endOffset);
        }
        return found.epoch() == epoch ? found : EpochEndOffset.UNDEFINED;
    }

    @Override
    public OptionalLong offsetForTimestamp(long timestampMs) {
        return OptionalLong.empty();
    }

    @Override
    public synchronized void assignEpochStartOffset(int leaderEpoch) {
        epochStarts.add(new int[] {leaderEpoch, (int) endOffset});
    }

    @Override
    public synchronized long sizeInBytes() {
        return batches.stream().mapToLong(RecordBatch::sizeInBytes).sum();
    }

    @Override
    public synchronized int segmentCount() {
        return 1;
    }
}
