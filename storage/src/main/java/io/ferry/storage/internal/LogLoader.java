package io.ferry.storage.internal;

import io.ferry.storage.EpochEntry;
import io.ferry.storage.LogConfig;
import io.ferry.storage.RecoveryResult;
import io.ferry.storage.StorageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens the segments of a partition directory and brings them to a consistent state, the way
 * Kafka's log loading does: after a clean shutdown the files are trusted (indexes are only
 * sanity-checked); otherwise every segment from the one holding the recovery point on is validated
 * batch by batch, the first invalid byte and everything after it are cut, and indexes are rebuilt.
 */
public final class LogLoader {

    /** Written by a clean close, removed as soon as the log is opened again. */
    public static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
    /** Suffix of a removed segment's files waiting for {@code file.delete.delay.ms}. */
    public static final String DELETED_SUFFIX = ".deleted";

    private static final Pattern FILE_NAME = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");
    private static final Pattern SWAP_NAME = Pattern.compile("(\\d{20})-(\\d{20})\\.swap");

    private LogLoader() {}

    /**
     * The loaded segments in offset order (the last one appendable), what loading did, and where each leader
     * epoch of the validated batches starts (empty when nothing was validated), oldest first.
     */
    public record Loaded(List<LogSegment> segments, RecoveryResult result, List<EpochEntry> recoveredEpochs) {

        Loaded(List<LogSegment> segments, RecoveryResult result) {
            this(segments, result, List.of());
        }
    }

    /**
     * The log of a partition directory just created: one empty segment, with nothing to look for first (a
     * broker creating thousands of partitions at once pays for every file-system call per log).
     */
    public static Loaded createEmpty(Path dir, LogConfig config, long nowMs) {
        try {
            LogSegment first = LogSegment.open(
                    dir,
                    0,
                    true,
                    config.segmentBytes(),
                    config.segmentIndexBytes(),
                    config.indexIntervalBytes(),
                    nowMs);
            return new Loaded(new ArrayList<>(List.of(first)), new RecoveryResult(false, 0, 0, 0, 0));
        } catch (IOException e) {
            throw new StorageException("cannot create the log in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param recoveryPoint offsets below it were flushed and are trusted after a crash
     */
    public static Loaded load(Path dir, LogConfig config, long recoveryPoint, long nowMs) {
        try {
            Files.createDirectories(dir);
            boolean clean = Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN_FILE));
            finishCleanerSwaps(dir);
            TreeSet<Long> baseOffsets = scanFiles(dir);
            if (baseOffsets.isEmpty()) {
                LogSegment first = LogSegment.create(
                        dir, 0, config.segmentBytes(), config.segmentIndexBytes(), config.indexIntervalBytes(), nowMs);
                return new Loaded(new ArrayList<>(List.of(first)), new RecoveryResult(clean, 0, 0, 0, 0));
            }
            List<LogSegment> segments = new ArrayList<>();
            for (long baseOffset : baseOffsets) {
                boolean last = baseOffset == baseOffsets.last();
                segments.add(LogSegment.open(
                        dir,
                        baseOffset,
                        last,
                        config.segmentBytes(),
                        config.segmentIndexBytes(),
                        config.indexIntervalBytes(),
                        nowMs));
            }
            return clean
                    ? loadClean(dir, segments, config, nowMs)
                    : recover(dir, segments, config, recoveryPoint, nowMs);
        } catch (IOException e) {
            throw new StorageException("cannot load the log in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts every segment; if one does not even parse (its batch lengths do not chain to the end of
     * the file), falls back to validating from that segment on.
     */
    private static Loaded loadClean(Path dir, List<LogSegment> segments, LogConfig config, long nowMs)
            throws IOException {
        int rebuilt = 0;
        for (int i = 0; i < segments.size(); i++) {
            try {
                if (segments.get(i).loadTrusted(config.segmentIndexBytes())) {
                    rebuilt++;
                }
            } catch (StorageException e) {
                return recoverFrom(dir, segments, i, rebuilt, config, nowMs);
            }
        }
        sealAllButLast(segments);
        return new Loaded(segments, new RecoveryResult(true, 0, 0, 0, rebuilt));
    }

    private static Loaded recover(Path dir, List<LogSegment> segments, LogConfig config, long recoveryPoint, long nowMs)
            throws IOException {
        int firstToRecover = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).baseOffset() <= recoveryPoint) {
                firstToRecover = i;
            }
        }
        int rebuilt = 0;
        for (int i = 0; i < firstToRecover; i++) {
            try {
                if (segments.get(i).loadTrusted(config.segmentIndexBytes())) {
                    rebuilt++;
                }
            } catch (StorageException e) {
                return recoverFrom(dir, segments, i, rebuilt, config, nowMs);
            }
        }
        return recoverFrom(dir, segments, firstToRecover, rebuilt, config, nowMs);
    }

    /** Validates segments from {@code firstToRecover} on, cutting at the first invalid byte. */
    private static Loaded recoverFrom(
            Path dir, List<LogSegment> segments, int firstToRecover, int rebuiltBefore, LogConfig config, long nowMs)
            throws IOException {
        int rebuilt = rebuiltBefore;
        int epochFloor = Integer.MIN_VALUE;
        long batches = 0;
        long truncated = 0;
        int recovered = 0;
        List<EpochEntry> epochStarts = new ArrayList<>();
        for (int i = firstToRecover; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            LogSegment.Recovery recovery = segment.recover(
                    epochFloor,
                    config.segmentIndexBytes(),
                    config.cleanupPolicy().compacts());
            recovered++;
            rebuilt++;
            batches += recovery.batches();
            truncated += recovery.bytesTruncated();
            epochFloor = recovery.lastEpoch();
            epochStarts.addAll(recovery.epochStarts());
            boolean last = i == segments.size() - 1;
            if (recovery.bytesTruncated() > 0 && !last) {
                // Everything after the first invalid byte goes, as in Kafka: later segments may only
                // be read as a continuation of the bytes just cut.
                for (LogSegment later : segments.subList(i + 1, segments.size())) {
                    truncated += later.size();
                    later.close();
                    later.release();
                    for (Path file : later.files()) {
                        Files.deleteIfExists(file);
                    }
                }
                segments.subList(i + 1, segments.size()).clear();
                segments.set(i, reopenAppendable(dir, segment, config, nowMs));
                break;
            }
        }
        sealAllButLast(segments);
        return new Loaded(segments, new RecoveryResult(false, recovered, batches, truncated, rebuilt), epochStarts);
    }

    private static LogSegment reopenAppendable(Path dir, LogSegment segment, LogConfig config, long nowMs)
            throws IOException {
        segment.seal();
        segment.close();
        segment.release();
        LogSegment reopened = LogSegment.open(
                dir,
                segment.baseOffset(),
                true,
                config.segmentBytes(),
                config.segmentIndexBytes(),
                config.indexIntervalBytes(),
                nowMs);
        reopened.loadTrusted(config.segmentIndexBytes());
        return reopened;
    }

    /**
     * Seals every segment but the last and unmaps what loading mapped (all but the appendable segment's
     * indexes with entries): a segment is mapped by its first reader, so a broker's mappings follow what is
     * read, not how many segments or partitions it holds.
     */
    private static void sealAllButLast(List<LogSegment> segments) throws IOException {
        for (LogSegment segment : segments.subList(0, segments.size() - 1)) {
            segment.seal();
        }
        for (LogSegment segment : segments) {
            segment.unmapIfUnread();
        }
    }

    /**
     * Brings an interrupted cleaner swap (see {@link Cleaner}) to one side: a {@code .cleaned} file was not
     * yet forced and renamed, so the old segments are whole and it is deleted; a {@code .swap} file was
     * forced and is complete, so the old segments of its range (some may already be {@code .deleted})
     * are deleted and it is renamed into place. The log then holds either the old or the new segments of
     * each group, never both.
     */
    static void finishCleanerSwaps(Path dir) throws IOException {
        List<Path> swaps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(Cleaner.CLEANED_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (SWAP_NAME.matcher(name).matches()) {
                    swaps.add(file);
                }
            }
        }
        for (Path swap : swaps) {
            Matcher matcher = SWAP_NAME.matcher(swap.getFileName().toString());
            matcher.matches();
            long from = Long.parseLong(matcher.group(1));
            long to = Long.parseLong(matcher.group(2));
            for (long base : scanFiles(dir)) {
                if (base >= from && base < to) {
                    for (String suffix : List.of(".log", ".index", ".timeindex")) {
                        Files.deleteIfExists(dir.resolve(LogSegment.fileName(base, suffix)));
                    }
                }
            }
            Files.move(swap, dir.resolve(LogSegment.fileName(from, ".log")), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Base offsets of the segments in {@code dir}. Removes what a crash can leave behind: files of
     * removed segments, half-written truncation copies, and index files without their log.
     */
    private static TreeSet<Long> scanFiles(Path dir) throws IOException {
        TreeSet<Long> logs = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(DELETED_SUFFIX) || name.endsWith(".truncating")) {
                    Files.deleteIfExists(file);
                    continue;
                }
                Matcher matcher = FILE_NAME.matcher(name);
                if (!matcher.matches()) {
                    if (name.endsWith(".log")) {
                        throw new StorageException(
                                "unexpected file " + file + ": segment files are named by a" + " 20-digit base offset");
                    }
                    continue;
                }
                if (matcher.group(2).equals("log")) {
                    logs.add(baseOffsetOf(file));
                } else {
                    indexes.add(file);
                }
            }
        }
        for (Path index : indexes) {
            if (!logs.contains(baseOffsetOf(index))) {
                Files.deleteIfExists(index);
            }
        }
        return logs;
    }

    /** Deletes {@code dir} and everything in it (a deleted log, or one whose deletion a crash interrupted). */
    public static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static long baseOffsetOf(Path file) {
        String digits = file.getFileName().toString().substring(0, 20);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new StorageException("unexpected file " + file + ": base offset " + digits + " is out of range", e);
        }
    }
}
