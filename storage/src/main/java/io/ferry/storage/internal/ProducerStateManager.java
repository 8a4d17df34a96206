package io.ferry.storage.internal;

import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.RecordBatch;
import io.ferry.storage.LogAppendException;
import io.ferry.storage.LogAppendException.Reason;
import io.ferry.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent producers of one partition (Kafka's {@code ProducerStateManager}): per producer id, its
 * epoch and its last runs of batches, built from every batch with a producer id the log holds, so a leader can
 * refuse a batch out of sequence and answer a retry with the offsets its first attempt got. A follower
 * builds the same state from the batches it replicates, so after a failover the new leader recognises
 * retries of what the old one appended.
 *
 * <p>The state is saved at segment rolls and at close as {@link ProducerStateSnapshot} files named by the
 * offset they are as of; opening the log loads the latest one at or below the log end and replays only
 * the batches after it.
 *
 * <p>Not thread-safe: the log's lock guards every call.
 */
public final class ProducerStateManager {

    /**
     * Snapshots kept besides those of deleted segments (which go with them): a truncation or a
     * recovery below the newest one starts from an older one instead of the log start.
     */
    static final int SNAPSHOTS_KEPT = 3;

    private static final Logger log = LoggerFactory.getLogger(ProducerStateManager.class);

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /**
     * Checks a leader's append against the producers' state before offsets are assigned, as Kafka's
     * {@code ProducerAppendInfo} does for a client's batches; changes nothing. Batches without a
     * producer id pass.
     *
     * <ul>
     *   <li>A single batch whose sequences (same producer id and epoch) one of its producer's kept runs
     *       holds is a retry: the answer is where the run holds them, and nothing must be appended. A
     *       producer retries a batch alone (Kafka's sends one batch per partition in a request anyway);
     *       a retry among other batches is checked as any batch and refused (its sequence does not
     *       follow).</li>
     *   <li>An epoch below the producer's: INVALID_PRODUCER_EPOCH (a fenced producer).</li>
     *   <li>A new, higher epoch must start at sequence 0, else OUT_OF_ORDER_SEQUENCE.</li>
     *   <li>In the same epoch, the first sequence must follow the last one (after
     *       {@link Integer#MAX_VALUE} comes 0), else OUT_OF_ORDER_SEQUENCE; several batches of one
     *       producer in one append must follow each other in the same way.</li>
     *   <li>An unknown producer (never seen, or expired) is accepted at any sequence, as Kafka does since
     *       KIP-360 for a producer that is not transactional: its state may have gone with retention, and
     *       refusing it would leave the producer no way on but a new producer id.</li>
     *   <li>A producer id that would make the partition track more than {@code maxProducerIds}:
     *       TOO_MANY_PRODUCER_IDS, so a client inventing producer ids cannot grow the state without bound.</li>
     * </ul>
     *
     * @return where the records of a retried batch are, whose offsets answer the append
     */
    public Optional<BatchMetadata> checkLeaderAppend(List<RecordBatch> batches, int maxProducerIds)
            throws LogAppendException {
        if (batches.size() == 1 && batches.get(0).producerId() != RecordBatch.NO_PRODUCER_ID) {
            RecordBatch batch = batches.get(0);
            ProducerStateEntry entry = producers.get(batch.producerId());
            Optional<BatchMetadata> original = entry == null ? Optional.empty() : entry.duplicateOf(batch);
            if (original.isPresent()) {
                return original;
            }
        }
        // Where each producer's sequences stand after its earlier batches of this append.
        Map<Long, SequencePosition> updated = new HashMap<>();
        int newIds = 0;
        for (RecordBatch batch : batches) {
            long producerId = batch.producerId();
            if (producerId == RecordBatch.NO_PRODUCER_ID) {
                continue;
            }
            SequencePosition position = updated.get(producerId);
            if (position == null) {
                ProducerStateEntry entry = producers.get(producerId);
                if (entry == null) {
                    if (producers.size() + newIds >= maxProducerIds) {
                        throw new LogAppendException(
                                Reason.TOO_MANY_PRODUCER_IDS,
                                "producer id " + producerId + " is new and the partition already tracks its limit of "
                                        + maxProducerIds + " producer ids (max.producer.ids.per.partition); ids idle"
                                        + " for producer.id.expiration.ms are forgotten");
                    }
                    newIds++;
                } else {
                    position = new SequencePosition(entry.epoch(), entry.lastSeq());
                }
            }
            if (position != null) {
                checkSequence(producerId, position, batch);
            }
            updated.put(producerId, new SequencePosition(batch.producerEpoch(), Sequences.lastSeq(batch)));
        }
        return Optional.empty();
    }

    /** A producer's epoch and last sequence. */
    private record SequencePosition(short epoch, int lastSeq) {}

    private static void checkSequence(long producerId, SequencePosition position, RecordBatch batch)
            throws LogAppendException {
        if (batch.producerEpoch() < position.epoch()) {
            throw new LogAppendException(
                    Reason.INVALID_PRODUCER_EPOCH,
                    "producer " + producerId + " sent epoch " + batch.producerEpoch() + ", below its epoch "
                            + position.epoch() + ": a newer instance of the producer fenced it");
        }
        if (batch.producerEpoch() > position.epoch()) {
            if (batch.baseSequence() != 0) {
                throw new LogAppendException(
                        Reason.OUT_OF_ORDER_SEQUENCE,
                        "producer " + producerId + " starts its new epoch " + batch.producerEpoch() + " at sequence "
                                + batch.baseSequence() + ", not 0");
            }
        } else if (!Sequences.follows(position.lastSeq(), batch.baseSequence())) {
            throw new LogAppendException(
                    Reason.OUT_OF_ORDER_SEQUENCE,
                    "producer " + producerId + " sent sequence " + batch.baseSequence() + " in epoch "
                            + batch.producerEpoch() + " but its last sequence is " + position.lastSeq());
        }
    }

    /**
     * Takes appended batches (offsets assigned) into the state, refusing nothing: a leader's after
     * {@link #checkLeaderAppend}, a follower's as the leader wrote them, and the log's own on replay.
     */
    public void update(List<RecordBatch> batches) {
        for (RecordBatch batch : batches) {
            update(batch);
        }
    }

    private void update(RecordBatch batch) {
        if (batch.producerId() == RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        producers.merge(batch.producerId(), ProducerStateEntry.first(batch), (old, first) -> old.with(batch));
    }

    public Optional<ProducerStateEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    /** A copy of every producer's state by producer id. */
    public Map<Long, ProducerStateEntry> entries() {
        return new HashMap<>(producers);
    }

    public int producerCount() {
        return producers.size();
    }

    /**
     * The offset of each producer's last batch: the cleaner keeps those batches even once empty, so the
     * producers' state survives compaction (and a rebuild from the log).
     */
    public Map<Long, Long> lastBatchOffsets() {
        Map<Long, Long> offsets = new HashMap<>();
        producers.forEach((id, entry) -> offsets.put(id, entry.lastRun().lastOffset()));
        return offsets;
    }

    /**
     * Forgets the producers whose last batch's timestamp is {@code expirationMs} or more before
     * {@code nowMs} ({@code producer.id.expiration.ms}, as Kafka).
     *
     * @return how many were forgotten
     */
    public int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(entry -> nowMs - entry.lastTimestamp() >= expirationMs);
        return before - producers.size();
    }

    /** Writes the state as of {@code offset} (the log end) and deletes all but the newest snapshots. */
    public void takeSnapshot(long offset) throws IOException {
        ProducerStateSnapshot.write(dir, offset, producers.values());
        TreeMap<Long, Path> snapshots = ProducerStateSnapshot.list(dir);
        while (snapshots.size() > SNAPSHOTS_KEPT) {
            Files.deleteIfExists(snapshots.pollFirstEntry().getValue());
        }
    }

    /** Deletes the snapshots below {@code offset}: those of segments retention or a new log start deleted. */
    public void deleteSnapshotsBelow(long offset) throws IOException {
        for (Path file : ProducerStateSnapshot.list(dir).headMap(offset).values()) {
            Files.deleteIfExists(file);
        }
    }

    /** Forgets every producer and deletes every snapshot, for a log emptied to start afresh. */
    public void clear() throws IOException {
        producers.clear();
        deleteSnapshotsBelow(Long.MAX_VALUE);
    }

    /**
     * Rebuilds the state of the log made of {@code segments} up to {@code logEnd}: deletes the snapshots
     * above the log end (a truncation or recovery cut what they describe) and below the first segment,
     * loads the newest remaining one that reads (a damaged one is logged and deleted, and the next older
     * tried) and replays the batches from its offset on; with none, replays the whole log.
     */
    public void load(List<LogSegment> segments, long logEnd) throws IOException {
        producers.clear();
        long firstBase = segments.get(0).baseOffset();
        TreeMap<Long, Path> snapshots = ProducerStateSnapshot.list(dir);
        for (Path file : snapshots.tailMap(logEnd, false).values()) {
            Files.deleteIfExists(file);
        }
        for (Path file : snapshots.headMap(firstBase).values()) {
            Files.deleteIfExists(file);
        }
        long replayFrom = firstBase;
        for (Map.Entry<Long, Path> snapshot :
                snapshots.subMap(firstBase, true, logEnd, true).descendingMap().entrySet()) {
            try {
                for (ProducerStateEntry entry : ProducerStateSnapshot.read(snapshot.getValue())) {
                    producers.put(entry.producerId(), entry);
                }
                replayFrom = snapshot.getKey();
                break;
            } catch (ProducerStateSnapshot.CorruptSnapshotException e) {
                log.warn("{}; ignoring it and rebuilding from an older snapshot or the log", e.getMessage());
                Files.deleteIfExists(snapshot.getValue());
            }
        }
        replay(segments, replayFrom, logEnd);
    }

    private void replay(List<LogSegment> segments, long from, long logEnd) {
        for (LogSegment segment : segments) {
            if (segment.nextOffset() <= from) {
                continue;
            }
            if (!segment.retain()) {
                throw new StorageException("replaying producer state from " + segment + ", which left the log");
            }
            try {
                BatchScanner scanner = BatchScanner.of(segment.bytes());
                for (RecordBatch batch = scanner.nextShallow(); batch != null; batch = scanner.nextShallow()) {
                    if (batch.baseOffset() >= from && batch.lastOffset() < logEnd) {
                        update(batch);
                    }
                }
            } catch (CorruptBatchException e) {
                // Loading validated or trusted every byte below the log end: this is a bug or a disk fault.
                throw new StorageException(
                        "replaying producer state from " + segment + " failed: " + e.getMessage(), e);
            } finally {
                segment.release();
            }
        }
    }
}
