package io.ferry.storage;

import io.ferry.storage.internal.CheckpointFile;
import io.ferry.storage.internal.CheckpointFile.MalformedEntryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A partition's leader-epoch history: for each leader epoch, the offset of the first batch written
 * under it. A follower compares its history with the leader's ({@link #endOffsetFor}) to find where
 * its log diverges and truncates there, instead of trusting the high watermark (KIP-101, KIP-279).
 *
 * <p>Invariant: entries are ordered with strictly increasing epochs and strictly increasing start
 * offsets. The file {@value #CHECKPOINT_FILE_NAME} in the partition directory holds them in Kafka's layout
 * (version line, count line, one {@code <epoch> <startOffset>} line per entry), replaced atomically. A
 * change that removes entries (a truncation) is written before it becomes visible; if the write fails the
 * cache is unchanged.
 *
 * <p>A new epoch is not written when it is assigned ({@link #assign}, {@link #assignDeferred}), only by the
 * next {@link #sync}, which the log runs before its recovery point passes the epoch's first batch and at a
 * clean close. After a crash the log rebuilds the missing entries from the batches above its recovery point,
 * which it validates anyway, since each batch carries its leader epoch (as Kafka's recovery does). So an
 * epoch costs no file write on the thread that appends or applies a leadership: a failover at 10,000
 * partitions made each survivor create and rename a checkpoint file for each of its thousands of new
 * leaderships on the produce path, and each follower for each partition on its fetcher thread, about 4 s
 * of file-system work before the last of them was acknowledged.
 *
 * <p>The write is not forced either until {@link #sync}: Kafka fsyncs every new epoch at once, which cost
 * the survivors of a broker with thousands of leaderships tens of seconds before serving.
 *
 * <p>Not thread-safe, except {@link #sync}: the owning log serialises all other calls (appends,
 * truncations and epoch queries run on the log's single writer); a sync may run beside them on the log's
 * flush thread.
 */
public final class LeaderEpochCache {

    /** The checkpoint's file name inside a partition directory. */
    public static final String CHECKPOINT_FILE_NAME = "leader-epoch-checkpoint";

    /** The format version written on the checkpoint's first line. */
    public static final int VERSION = 0;

    private final CheckpointFile<EpochEntry> checkpoint;
    private List<EpochEntry> entries;
    /** Guarded by this: a change was written and not forced to disk since. */
    private boolean unsynced;
    /** Guarded by this: the entries hold a new epoch not written yet. */
    private boolean unwritten;

    private LeaderEpochCache(CheckpointFile<EpochEntry> checkpoint, List<EpochEntry> entries) {
        this.checkpoint = checkpoint;
        this.entries = entries;
    }

    /** The empty cache of a partition directory just created, which cannot hold a checkpoint yet. */
    public static LeaderEpochCache empty(Path partitionDir) {
        return new LeaderEpochCache(
                new CheckpointFile<>(partitionDir.resolve(CHECKPOINT_FILE_NAME), VERSION, new Format()),
                new ArrayList<>());
    }

    /**
     * Loads the cache of the partition in {@code partitionDir}; empty if it has no checkpoint yet.
     *
     * @throws CorruptCheckpointException if the checkpoint is malformed or its entries are not
     *                                    strictly increasing in both epoch and start offset
     */
    public static LeaderEpochCache load(Path partitionDir) throws IOException {
        CheckpointFile<EpochEntry> checkpoint =
                new CheckpointFile<>(partitionDir.resolve(CHECKPOINT_FILE_NAME), VERSION, new Format());
        // An empty file is a change renamed into place whose bytes a power loss took before its sync (file
        // systems without ext4's flush on rename-over can do that): as if the file were lost.
        List<EpochEntry> entries = isEmptyFile(checkpoint.file()) ? List.of() : checkpoint.read();
        for (int i = 1; i < entries.size(); i++) {
            EpochEntry previous = entries.get(i - 1);
            EpochEntry entry = entries.get(i);
            if (entry.epoch() <= previous.epoch() || entry.startOffset() <= previous.startOffset()) {
                throw new CorruptCheckpointException(
                        checkpoint.file(),
                        CheckpointFile.lineOfEntry(i),
                        "entry " + format(entry) + " does not follow " + format(previous)
                                + ": epochs and start offsets must both increase");
            }
        }
        return new LeaderEpochCache(checkpoint, new ArrayList<>(entries));
    }

    private static boolean isEmptyFile(Path file) throws IOException {
        try {
            return Files.size(file) == 0;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, as Kafka's leader epoch cache does: nothing
     * changes if {@code epoch} is the latest epoch and {@code startOffset} is not below its start; otherwise
     * the new entry wins, and every entry that would break the invariant (an epoch at least {@code epoch},
     * or a start offset at least {@code startOffset}) is removed first. In a consistent log epochs only
     * grow, so the removal happens only after the caller failed to truncate first. A new entry alone is
     * written by the next {@link #sync}; a removal at once.
     *
     * @throws IllegalArgumentException if {@code epoch} or {@code startOffset} is negative
     */
    public void assign(int epoch, long startOffset) throws IOException {
        List<EpochEntry> updated = assigned(epoch, startOffset);
        if (updated == null) {
            return;
        }
        if (updated.size() == entries.size() + 1) {
            defer(updated);
        } else {
            replaceWith(updated);
        }
    }

    /**
     * As {@link #assign}, except that even a removal is written only by the next {@link #sync} or truncation:
     * for a new leader's epoch, which no batch carries yet.
     */
    public void assignDeferred(int epoch, long startOffset) {
        List<EpochEntry> updated = assigned(epoch, startOffset);
        if (updated != null) {
            defer(updated);
        }
    }

    private synchronized void defer(List<EpochEntry> updated) {
        entries = updated;
        unwritten = true;
        unsynced = true;
    }

    /** The entries after assigning {@code epoch} from {@code startOffset}; null when that changes nothing. */
    private List<EpochEntry> assigned(int epoch, long startOffset) {
        EpochEntry entry = new EpochEntry(epoch, startOffset);
        if (!entries.isEmpty()) {
            EpochEntry latest = entries.get(entries.size() - 1);
            if (latest.epoch() == epoch && latest.startOffset() <= startOffset) {
                return null;
            }
        }
        List<EpochEntry> updated = new ArrayList<>(entries);
        while (!updated.isEmpty()) {
            EpochEntry last = updated.get(updated.size() - 1);
            if (last.epoch() < epoch && last.startOffset() < startOffset) {
                break;
            }
            updated.remove(updated.size() - 1);
        }
        updated.add(entry);
        return updated;
    }

    /** The latest epoch, if any was assigned. */
    public OptionalInt latestEpoch() {
        return entries.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(entries.get(entries.size() - 1).epoch());
    }

    /**
     * Where {@code requestedEpoch} ends in this log (KIP-279):
     * <ul>
     *   <li>the latest epoch: ({@code requestedEpoch}, {@code logEndOffset});
     *   <li>between known epochs: (the largest known epoch ≤ requested, the start offset of the next
     *       larger epoch);
     *   <li>below the first known epoch (older epochs were removed with the start of the log): as
     *       Kafka does since 2.1, ({@code requestedEpoch}, the first entry's start offset), so a
     *       follower truncates to no further than this log's start instead of having no answer;
     *   <li>{@link EpochEndOffset#UNDEFINED} if the cache is empty, {@code requestedEpoch} is
     *       negative, or it is above the latest epoch.
     * </ul>
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch < 0 || entries.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry latest = entries.get(entries.size() - 1);
        if (requestedEpoch == latest.epoch()) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        if (requestedEpoch > latest.epoch()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry floor = null;
        for (EpochEntry entry : entries) {
            if (entry.epoch() > requestedEpoch) {
                int epoch = floor == null ? requestedEpoch : floor.epoch();
                return new EpochEndOffset(epoch, entry.startOffset());
            }
            floor = entry;
        }
        throw new AssertionError("an entry above epoch " + requestedEpoch + " exists: the latest is " + latest.epoch());
    }

    /**
     * Forgets epochs starting at or after {@code endOffset}, after the log was truncated to end there.
     *
     * @throws IllegalArgumentException if {@code endOffset} is negative
     */
    public void truncateFromEnd(long endOffset) throws IOException {
        if (endOffset < 0) {
            throw new IllegalArgumentException("end offset " + endOffset + " is negative");
        }
        int keep = 0;
        while (keep < entries.size() && entries.get(keep).startOffset() < endOffset) {
            keep++;
        }
        if (keep < entries.size()) {
            replaceWith(new ArrayList<>(entries.subList(0, keep)));
        }
    }

    /**
     * Forgets history before {@code startOffset}, after the log start moved there: entries starting
     * at or before it are removed except the last of them, which now starts at {@code startOffset}
     * (its epoch still covers the new first batch).
     *
     * @throws IllegalArgumentException if {@code startOffset} is negative
     */
    public void truncateFromStart(long startOffset) throws IOException {
        if (startOffset < 0) {
            throw new IllegalArgumentException("start offset " + startOffset + " is negative");
        }
        int covering = -1;
        while (covering + 1 < entries.size() && entries.get(covering + 1).startOffset() <= startOffset) {
            covering++;
        }
        if (covering < 0 || (covering == 0 && entries.get(0).startOffset() == startOffset)) {
            return;
        }
        List<EpochEntry> updated = new ArrayList<>(entries.size() - covering);
        updated.add(new EpochEntry(entries.get(covering).epoch(), startOffset));
        updated.addAll(entries.subList(covering + 1, entries.size()));
        replaceWith(updated);
    }

    /** A snapshot of the entries, oldest first. */
    public List<EpochEntry> entries() {
        return List.copyOf(entries);
    }

    /**
     * Forces the latest change to disk if one was not forced yet; safe beside the owner's other calls.
     *
     * @throws IOException the file or its directory could not be forced
     */
    public synchronized void sync() throws IOException {
        if (unwritten) {
            replaceWith(entries);
        }
        if (unsynced) {
            unsynced = false;
            try {
                checkpoint.sync();
            } catch (IOException e) {
                unsynced = true;
                throw e;
            }
        }
    }

    /** Whether a change waits for {@link #sync}. */
    synchronized boolean hasUnsyncedChange() {
        return unsynced;
    }

    // Synchronized with sync(), so a sync never forces a file that is being replaced.
    private synchronized void replaceWith(List<EpochEntry> updated) throws IOException {
        checkpoint.writeUnsynced(updated);
        unsynced = true;
        unwritten = false;
        entries = updated;
    }

    private static String format(EpochEntry entry) {
        return entry.epoch() + " " + entry.startOffset();
    }

    private static final class Format implements CheckpointFile.EntryFormat<EpochEntry> {

        @Override
        public String format(EpochEntry entry) {
            return LeaderEpochCache.format(entry);
        }

        @Override
        public EpochEntry parse(String line) throws MalformedEntryException {
            String[] fields = line.split(" ", -1);
            if (fields.length != 2) {
                throw new MalformedEntryException("expected '<epoch> <startOffset>'");
            }
            int epoch = (int) CheckpointFile.parseField(fields[0], "epoch", Integer.MAX_VALUE);
            return new EpochEntry(epoch, CheckpointFile.parseField(fields[1], "start offset", Long.MAX_VALUE));
        }
    }
}
