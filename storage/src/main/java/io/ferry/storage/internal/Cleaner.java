package io.ferry.storage.internal;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import io.ferry.record.RecordIterator;
import io.ferry.storage.CleanResult;
import io.ferry.storage.CleanableSection;
import io.ferry.storage.LogConfig;
import io.ferry.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One cleaning pass over one log, as Kafka's {@code Cleaner.doClean}: maps each key of the dirty section
 * to its latest offset ({@link OffsetMap}), then rewrites the sealed segments from the log start up to
 * the end of what the map covers, keeping of each keyed record only the latest, and swaps each group of
 * rewritten segments in for the originals.
 *
 * <p>What a rewrite keeps (Kafka's rules, for RecordBatch v2 without transactions):
 *
 * <ul>
 *   <li>a record past the map's latest offset (the map filled before it): always;
 *   <li>a keyed record whose offset is the latest for its key; a tombstone (null value) only while
 *       {@code delete.retention.ms} has not passed since its segment was last modified;
 *   <li>a record without a key: never, counted in {@link CleanResult#keylessDropped()} (Kafka counts it as an
 *       invalid message and drops it; keyless records are refused on a compacted topic's produce path);
 *   <li>a control batch: as it is (no transaction markers are written yet).
 * </ul>
 *
 * A batch whose records all stay is copied byte for byte; one that loses some is rebuilt with its codec,
 * base offset, last offset delta, leader epoch and producer id, epoch and base sequence
 * ({@link RecordBatchBuilder#rewriting}); offsets never change, so the cleaned log has gaps. A batch that
 * loses every record is dropped. Kafka keeps such a batch, emptied, while it is the last of a producer
 * that is still active, so that the producer's last sequence survives; Ferry keeps no producer state
 * in the log yet, and the idempotence work must add that exception here.
 *
 * <p>Crash safety of the swap: a group is written to {@code <base>.log.cleaned} and forced, then renamed
 * {@code <base>-<end>.swap} (the range of base offsets it replaces is in the name), then {@link Swapper}
 * replaces the old segments under the log's lock. {@link LogLoader} deletes a {@code .cleaned} file (the
 * old segments are intact) and completes a {@code .swap} (deletes the old segments of its range, renames
 * it {@code <base>.log}). Each group is consistent on its own: a log with some groups cleaned and others
 * not still holds every key's latest record.
 *
 * <p>Not thread-safe: one cleaner thread runs a pass, reading sealed segments (whose bytes never change)
 * without the log's lock; only the swap takes it.
 */
public final class Cleaner {

    public static final String CLEANED_SUFFIX = ".log.cleaned";
    public static final String SWAP_SUFFIX = ".swap";

    private Cleaner() {}

    /**
     * Replaces {@code old} (consecutive segments) by the segment in {@code swapFile}, under the log's lock:
     * renames the old segments away, forces the directory (see {@link #renamedAway}), then renames the swap
     * file into place.
     */
    public interface Swapper {
        /** @return false, having changed nothing, if {@code old} are no longer all in the log */
        boolean replace(List<LogSegment> old, Path swapFile) throws IOException;
    }

    /**
     * Told of every batch a pass reads or writes, so the cleaner threads can hold their I/O to
     * {@code log.cleaner.io.max.bytes.per.second} and stop a pass when the broker shuts down.
     */
    public interface Progress {
        Progress NONE = bytes -> {};

        /** @throws Aborted to stop the pass: groups swapped before stay, the one being written is deleted */
        void onBytes(long bytes);
    }

    /** Stops a pass from {@link Progress#onBytes}. */
    public static final class Aborted extends RuntimeException {
        public Aborted(String why) {
            super(why, null, false, false);
        }
    }

    private static CleanResult nothing(long cleanOffset, boolean aborted) {
        return new CleanResult(cleanOffset, 0, 0, 0, 0, 0, 0, aborted);
    }

    /** {@code done} with one more group's work added, clean up to {@code newCleanOffset}. */
    private static CleanResult plus(CleanResult done, CleanResult group, long newCleanOffset) {
        return new CleanResult(
                newCleanOffset,
                done.segmentsCleaned() + group.segmentsCleaned(),
                done.mapBytesRead() + group.mapBytesRead(),
                done.bytesRead() + group.bytesRead(),
                done.bytesWritten() + group.bytesWritten(),
                done.recordsDropped() + group.recordsDropped(),
                done.keylessDropped() + group.keylessDropped(),
                group.aborted());
    }

    /**
     * Forces {@code dir} after the old segments of a swap were renamed {@code .deleted} and before the swap
     * file takes the first one's name, so no crash can keep the new first segment beside old later ones.
     */
    public static void renamedAway(Path dir) throws IOException {
        CheckpointFile.forceDirectory(dir);
    }

    /** The name of the swap file replacing the segments whose base offsets lie in {@code [base, end)}. */
    public static String swapFileName(long base, long end) {
        return String.format("%020d-%020d", base, end) + SWAP_SUFFIX;
    }

    /**
     * The first offset {@code min.compaction.lag.ms} keeps from cleaning: the base offset of the first
     * segment from the one holding {@code firstDirtyOffset} on whose newest record is younger than the lag
     * (Kafka's rule; a segment without timestamps never holds cleaning back); {@link Long#MAX_VALUE} if none.
     */
    public static long firstOffsetWithinLag(
            List<LogSegment> segments, long firstDirtyOffset, long nowMs, long minCompactionLagMs) {
        if (minCompactionLagMs <= 0) {
            return Long.MAX_VALUE;
        }
        for (int i = 0; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            boolean holdsDirty = i + 1 == segments.size() || segments.get(i + 1).baseOffset() > firstDirtyOffset;
            if (holdsDirty && segment.largestTimestamp() > nowMs - minCompactionLagMs) {
                return segment.baseOffset();
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The clean and dirty bytes of the sealed segments below {@code limit}: a segment is clean when it
     * ends at or below {@code firstDirtyOffset}, dirty otherwise.
     */
    public static CleanableSection cleanableSection(List<LogSegment> segments, long firstDirtyOffset, long limit) {
        long clean = 0;
        long dirty = 0;
        long oldestDirty = Long.MAX_VALUE;
        for (int i = 0; i + 1 < segments.size() && segments.get(i + 1).baseOffset() <= limit; i++) {
            LogSegment segment = segments.get(i);
            if (segments.get(i + 1).baseOffset() <= firstDirtyOffset) {
                clean += segment.size();
            } else {
                dirty += segment.size();
                // Known since the segment was sealed: no mapping is read, so none is kept from going idle.
                oldestDirty = Math.min(oldestDirty, segment.rollBaseMs());
            }
        }
        return new CleanableSection(clean, dirty, oldestDirty);
    }

    /**
     * Cleans what can be cleaned of a log.
     *
     * @param segments         every segment of the log, oldest first (the last is the active one)
     * @param firstDirtyOffset the log's clean point: offsets below it were cleaned by an earlier pass
     * @param limit            no offset at or above it is cleaned nor mapped (the high watermark, the
     *                         recovery point, or the first offset younger than {@code min.compaction.lag.ms})
     * @param nowMs            the time tombstones' retention is measured at
     * @param lastBatchOffsets the last offset of each producer's last batch, by producer id: such a batch is
     *                         kept, empty, when it loses every record (as Kafka's cleaner keeps it), so a
     *                         rebuild of the producers' state from the log still finds the producer
     */
    public static CleanResult clean(
            Path dir,
            List<LogSegment> segments,
            long firstDirtyOffset,
            long limit,
            LogConfig config,
            long nowMs,
            Map<Long, Long> lastBatchOffsets,
            OffsetMap map,
            Swapper swapper,
            Progress progress)
            throws IOException {
        List<LogSegment> sealed = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i + 1 < segments.size() && segments.get(i + 1).baseOffset() <= limit; i++) {
            sealed.add(segments.get(i));
            ends.add(segments.get(i + 1).baseOffset());
        }
        map.clear();
        KeyHashes keyHashes = new KeyHashes();
        long mapBytesRead;
        try {
            mapBytesRead = buildMap(sealed, ends, firstDirtyOffset, map, keyHashes, progress);
        } catch (Aborted e) {
            return nothing(firstDirtyOffset, true);
        }
        if (mapBytesRead < 0) {
            return nothing(firstDirtyOffset, true);
        }
        CleanResult done = new CleanResult(firstDirtyOffset, 0, mapBytesRead, 0, 0, 0, 0, false);
        long endOffset = map.latestOffset() + 1;
        if (endOffset <= firstDirtyOffset) {
            return done;
        }
        int count = 0;
        while (count < sealed.size() && sealed.get(count).baseOffset() < endOffset) {
            count++;
        }
        for (List<Integer> group : groupBySize(sealed.subList(0, count), ends, config.segmentBytes())) {
            List<LogSegment> old = new ArrayList<>();
            for (int i : group) {
                old.add(sealed.get(i));
            }
            long end = ends.get(group.get(group.size() - 1));
            CleanResult pass =
                    cleanGroup(dir, old, end, map, keyHashes, config, nowMs, lastBatchOffsets, swapper, progress);
            if (pass.aborted()) {
                return plus(done, pass, firstDirtyOffset);
            }
            done = plus(done, pass, endOffset);
        }
        return plus(done, nothing(endOffset, false), endOffset);
    }

    /**
     * Maps the keyed records of the sealed segments from {@code firstDirtyOffset} on, until the map is
     * full. Returns the bytes read, or -1 if a segment left the log meanwhile.
     */
    private static long buildMap(
            List<LogSegment> sealed,
            List<Long> ends,
            long firstDirtyOffset,
            OffsetMap map,
            KeyHashes keyHashes,
            Progress progress) {
        long bytesRead = 0;
        for (int i = 0; i < sealed.size(); i++) {
            LogSegment segment = sealed.get(i);
            if (ends.get(i) <= firstDirtyOffset) {
                continue;
            }
            if (!segment.retain()) {
                return -1;
            }
            try {
                ByteBuffer bytes = segment.bytes();
                bytesRead += bytes.remaining();
                BatchScanner scanner = BatchScanner.of(bytes);
                for (RecordBatch batch = next(scanner, segment); batch != null; batch = next(scanner, segment)) {
                    progress.onBytes(batch.sizeInBytes());
                    if (batch.lastOffset() < firstDirtyOffset) {
                        continue;
                    }
                    if (!batch.isControl()) {
                        List<Record> records = records(batch, segment);
                        long[] hashes = keyHashes.forRecords(records.size());
                        for (int r = 0; r < records.size(); r++) {
                            Record record = records.get(r);
                            if (record.hasKey() && record.offset() >= firstDirtyOffset) {
                                map.hash(record.key(), hashes, 2 * r);
                            }
                        }
                        for (int r = 0; r < records.size(); r++) {
                            Record record = records.get(r);
                            if (record.hasKey()
                                    && record.offset() >= firstDirtyOffset
                                    && !map.put(hashes[2 * r], hashes[2 * r + 1], record.offset())) {
                                return bytesRead;
                            }
                        }
                    }
                    map.updateLatestOffset(batch.lastOffset());
                }
            } finally {
                segment.release();
            }
        }
        return bytesRead;
    }

    /**
     * Groups consecutive segments whose sizes add up to at most {@code segment.bytes} and whose offsets
     * fit one segment's int32 relative offsets (Kafka's {@code groupSegmentsBySize}). Indexes stay within
     * bounds because a group's bytes do: the rebuilt index has one entry per {@code index.interval.bytes}.
     */
    static List<List<Integer>> groupBySize(List<LogSegment> segments, List<Long> ends, int segmentBytes) {
        List<List<Integer>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            List<Integer> group = new ArrayList<>(List.of(i));
            long size = segments.get(i).size();
            long base = segments.get(i).baseOffset();
            i++;
            while (i < segments.size()
                    && size + segments.get(i).size() <= segmentBytes
                    && ends.get(i) - 1 - base <= Integer.MAX_VALUE) {
                size += segments.get(i).size();
                group.add(i);
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    private static CleanResult cleanGroup(
            Path dir,
            List<LogSegment> old,
            long end,
            OffsetMap map,
            KeyHashes keyHashes,
            LogConfig config,
            long nowMs,
            Map<Long, Long> lastBatchOffsets,
            Swapper swapper,
            Progress progress)
            throws IOException {
        long base = old.get(0).baseOffset();
        Path cleaned = dir.resolve(LogSegment.fileName(base, CLEANED_SUFFIX));
        long read = 0;
        long written = 0;
        long dropped = 0;
        long keyless = 0;
        long lastModified = 0;
        boolean complete = false;
        try {
            try (FileChannel out = FileChannel.open(
                    cleaned,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                for (LogSegment segment : old) {
                    if (!segment.retain()) {
                        return new CleanResult(0, 0, 0, read, 0, 0, 0, true);
                    }
                    try {
                        lastModified = segment.lastModifiedMs();
                        boolean keepTombstones = nowMs < lastModified + config.deleteRetentionMs();
                        ByteBuffer bytes = segment.bytes();
                        read += bytes.remaining();
                        BatchScanner scanner = BatchScanner.of(bytes);
                        for (RecordBatch batch = next(scanner, segment);
                                batch != null;
                                batch = next(scanner, segment)) {
                            progress.onBytes(batch.sizeInBytes());
                            Filtered filtered =
                                    filter(batch, segment, map, keyHashes, keepTombstones, lastBatchOffsets);
                            dropped += filtered.dropped();
                            keyless += filtered.keyless();
                            if (filtered.bytes() != null) {
                                int size = writeFully(out, filtered.bytes());
                                written += size;
                                progress.onBytes(size);
                            }
                        }
                    } finally {
                        segment.release();
                    }
                }
                out.force(true);
            }
            complete = true;
        } catch (Aborted e) {
            return new CleanResult(0, 0, 0, read, written, 0, 0, true);
        } finally {
            if (!complete) {
                Files.deleteIfExists(cleaned);
            }
        }
        Files.setLastModifiedTime(cleaned, FileTime.fromMillis(lastModified));
        Path swap = dir.resolve(swapFileName(base, end));
        Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
        // The swap file's name must be durable before any old segment is renamed away.
        CheckpointFile.forceDirectory(dir);
        if (!swapper.replace(old, swap)) {
            Files.deleteIfExists(swap);
            return new CleanResult(0, 0, 0, read, written, 0, 0, true);
        }
        return new CleanResult(end, old.size(), 0, read, written, dropped, keyless, false);
    }

    private record Filtered(ByteBuffer bytes, long dropped, long keyless) {}

    /** A batch's key hashes ({@link OffsetMap#hash}), in one array reused across the batches of a pass. */
    private static final class KeyHashes {
        private long[] hashes = new long[2 * 1024];

        long[] forRecords(int count) {
            if (hashes.length < 2 * count) {
                hashes = new long[2 * count];
            }
            return hashes;
        }
    }

    /**
     * The batch as it stays after cleaning: itself, a rebuilt copy with fewer records, an empty copy if it
     * lost every record but is a producer's last, or null.
     */
    private static Filtered filter(
            RecordBatch batch,
            LogSegment segment,
            OffsetMap map,
            KeyHashes keyHashes,
            boolean keepTombstones,
            Map<Long, Long> lastBatchOffsets) {
        if (batch.isControl()) {
            return new Filtered(batch.buffer(), 0, 0);
        }
        List<Record> records = records(batch, segment);
        int total = records.size();
        long mapped = map.latestOffset();
        long[] hashes = keyHashes.forRecords(total);
        for (int i = 0; i < total; i++) {
            Record record = records.get(i);
            if (record.offset() <= mapped && record.hasKey()) {
                map.hash(record.key(), hashes, 2 * i);
            }
        }
        List<Record> kept = new ArrayList<>();
        long keyless = 0;
        for (int i = 0; i < total; i++) {
            Record record = records.get(i);
            if (record.offset() > mapped) {
                kept.add(record);
            } else if (!record.hasKey()) {
                keyless++;
            } else if (record.offset() >= map.get(hashes[2 * i], hashes[2 * i + 1])
                    && (record.hasValue() || keepTombstones)) {
                kept.add(record);
            }
        }
        long dropped = total - kept.size();
        if (kept.isEmpty()) {
            boolean producersLast = batch.producerId() != RecordBatch.NO_PRODUCER_ID
                    && lastBatchOffsets.getOrDefault(batch.producerId(), -1L) == batch.lastOffset();
            if (!producersLast) {
                return new Filtered(null, dropped, keyless);
            }
            return new Filtered(total == 0 ? batch.buffer() : emptyCopy(batch), dropped, keyless);
        }
        if (kept.size() == total) {
            return new Filtered(batch.buffer(), 0, 0);
        }
        RecordBatchBuilder builder = RecordBatchBuilder.rewriting(batch);
        for (Record record : kept) {
            builder.appendKept(record);
        }
        return new Filtered(builder.build(), dropped, keyless);
    }

    /**
     * {@code batch} with no record, as Kafka's {@code DefaultRecordBatch.writeEmptyHeader} writes it: same
     * offsets, leader epoch, producer fields, timestamp type and transactional and control bits, no
     * compression, no base timestamp and the original max timestamp.
     */
    static ByteBuffer emptyCopy(RecordBatch batch) {
        ByteBuffer header = batch.buffer().limit(RecordBatch.HEADER_SIZE);
        ByteBuffer empty =
                ByteBuffer.allocate(RecordBatch.HEADER_SIZE).put(header).flip();
        int keptAttributes =
                RecordBatch.TIMESTAMP_TYPE_MASK | RecordBatch.TRANSACTIONAL_MASK | RecordBatch.CONTROL_MASK;
        empty.putInt(RecordBatch.LENGTH_OFFSET, RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD)
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (batch.attributes() & keptAttributes))
                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, RecordBatch.NO_TIMESTAMP)
                .putInt(RecordBatch.RECORD_COUNT_OFFSET, 0);
        try {
            empty.putInt(RecordBatch.CRC_OFFSET, (int)
                    RecordBatch.wrap(empty.duplicate()).computeChecksum());
        } catch (CorruptBatchException e) {
            throw new IllegalStateException("an empty copy of " + batch + " is malformed", e);
        }
        return empty;
    }

    private static RecordBatch next(BatchScanner scanner, LogSegment segment) {
        try {
            return scanner.next();
        } catch (CorruptBatchException e) {
            throw new StorageException("the cleaner found a corrupt batch in " + segment + ": " + e.getMessage(), e);
        }
    }

    /** The batch's records, decoded (views of its decompressed bytes). */
    private static List<Record> records(RecordBatch batch, LogSegment segment) {
        try {
            List<Record> records = new ArrayList<>(batch.recordCount());
            RecordIterator iterator = batch.records();
            while (iterator.hasNext()) {
                records.add(iterator.next());
            }
            return records;
        } catch (CorruptBatchException e) {
            throw new StorageException(
                    "the cleaner cannot read batch " + batch.baseOffset() + " in " + segment + ": " + e.getMessage(),
                    e);
        }
    }

    private static int writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        ByteBuffer source = bytes.duplicate();
        int size = source.remaining();
        while (source.hasRemaining()) {
            out.write(source);
        }
        return size;
    }
}
