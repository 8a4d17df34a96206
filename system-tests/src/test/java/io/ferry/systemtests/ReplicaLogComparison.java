package io.ferry.systemtests;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.Log;
import io.ferry.storage.LogConfig;
import io.ferry.storage.LogReadResult;
import io.ferry.storage.OffsetOutOfRangeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Opens the replicas of one partition with the storage module, on stopped brokers, and checks that
 * they hold byte-identical, valid batches from offset 0 up to the high watermark: the same batch
 * boundaries, offsets, leader epochs and record bytes.
 */
final class ReplicaLogComparison {

    private static final int READ_BYTES = 1024 * 1024;

    /** One batch as a replica stores it. */
    private record StoredBatch(long baseOffset, long lastOffset, int epoch, byte[] bytes) {}

    private ReplicaLogComparison() {}

    /**
     * @param partitionDirs each replica's partition directory ({@code log.dirs/topic-partition}), by broker id
     * @param highWatermark the leader's high watermark before the brokers stopped
     * @return one line per replica that diverges, naming the partition, offset and broker; empty when
     *         every replica matches the one on the lowest broker id
     */
    static List<String> compare(String partitionName, Map<Integer, Path> partitionDirs, long highWatermark) {
        List<String> problems = new ArrayList<>();
        Map<Integer, List<StoredBatch>> replicas = new TreeMap<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            for (Map.Entry<Integer, Path> e : new TreeMap<>(partitionDirs).entrySet()) {
                String replica = partitionName + " on broker " + e.getKey();
                if (!Files.isDirectory(e.getValue())) {
                    problems.add(replica + ": no partition directory " + e.getValue());
                    continue;
                }
                replicas.put(e.getKey(), readBelow(replica, e.getValue(), highWatermark, scheduler, problems));
            }
        } finally {
            scheduler.shutdownNow();
        }
        if (replicas.isEmpty()) {
            return problems;
        }
        int referenceId = replicas.keySet().iterator().next();
        List<StoredBatch> reference = replicas.get(referenceId);
        replicas.forEach((brokerId, batches) -> {
            if (brokerId != referenceId) {
                diverged(partitionName, referenceId, reference, brokerId, batches)
                        .ifPresent(problems::add);
            }
        });
        return problems;
    }

    /** The replica's batches below the high watermark; reports a gap, a short log or a corrupt batch. */
    private static List<StoredBatch> readBelow(
            String replica, Path dir, long highWatermark, ScheduledExecutorService scheduler, List<String> problems) {
        List<StoredBatch> batches = new ArrayList<>();
        try (Log log = Log.open(dir, LogConfig.defaults(), 0, InstantSource.system(), scheduler)) {
            if (log.logStartOffset() != 0) {
                problems.add(replica + ": log starts at offset " + log.logStartOffset() + ", not 0");
            }
            long next = log.logStartOffset();
            while (next < highWatermark) {
                LogReadResult read = log.read(next, READ_BYTES, highWatermark);
                if (read.isEmpty()) {
                    break;
                }
                BatchScanner scanner = BatchScanner.of(read.records());
                for (RecordBatch b = scanner.next(); b != null; b = scanner.next()) {
                    if (b.baseOffset() != next) {
                        problems.add(replica + ": batch at offset " + b.baseOffset() + " follows one ending at "
                                + (next - 1));
                    }
                    ByteBuffer buf = b.buffer().duplicate();
                    byte[] bytes = new byte[buf.remaining()];
                    buf.get(bytes);
                    batches.add(new StoredBatch(b.baseOffset(), b.lastOffset(), b.partitionLeaderEpoch(), bytes));
                    next = b.nextOffset();
                }
            }
            if (next != highWatermark) {
                problems.add(replica + ": holds whole batches only up to offset " + next + " (log end offset "
                        + log.logEndOffset() + "), not up to the high watermark " + highWatermark);
            }
        } catch (CorruptBatchException e) {
            problems.add(replica + ": corrupt batch after offset " + lastOffset(batches) + ": " + e.getMessage());
        } catch (OffsetOutOfRangeException e) {
            problems.add(replica + ": cannot read after offset " + lastOffset(batches) + ": " + e.getMessage());
        }
        return batches;
    }

    private static long lastOffset(List<StoredBatch> batches) {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    /** The first difference between two replicas' batch lists, if any. */
    private static Optional<String> diverged(
            String partitionName, int refId, List<StoredBatch> ref, int otherId, List<StoredBatch> other) {
        for (int i = 0; i < Math.min(ref.size(), other.size()); i++) {
            StoredBatch a = ref.get(i);
            StoredBatch b = other.get(i);
            if (a.baseOffset() != b.baseOffset() || a.lastOffset() != b.lastOffset()) {
                return Optional.of(partitionName + ": diverged at batch #" + i + ": broker " + refId
                        + " holds offsets " + a.baseOffset() + ".." + a.lastOffset() + ", broker " + otherId
                        + " holds " + b.baseOffset() + ".." + b.lastOffset());
            }
            int mismatch = Arrays.mismatch(a.bytes(), b.bytes());
            if (mismatch >= 0) {
                return Optional.of(partitionName + ": diverged in the batch at offsets " + a.baseOffset()
                        + ".." + a.lastOffset() + ": broker " + refId + " (" + a.bytes().length
                        + " bytes, leader epoch " + a.epoch() + ") and broker " + otherId + " ("
                        + b.bytes().length + " bytes, leader epoch " + b.epoch() + ") differ from byte " + mismatch);
            }
        }
        if (ref.size() != other.size()) {
            return Optional.of(partitionName + ": broker " + refId + " holds " + ref.size()
                    + " batches below the high watermark, broker " + otherId + " holds " + other.size());
        }
        return Optional.empty();
    }
}
