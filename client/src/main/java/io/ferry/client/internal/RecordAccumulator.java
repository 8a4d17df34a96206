package io.ferry.client.internal;

import io.ferry.client.Callback;
import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Per-partition queues of batches: sending threads append records to the newest open batch of a
 * partition; the sender takes batches from the head once they are full, have lingered long enough,
 * or a flush or close is in progress.
 *
 * <p>Thread-safe: each partition's queue is guarded by its own monitor, held only for one append or
 * one drain, so threads sending to different partitions never contend. Finding a partition's queue is
 * a lock-free map and array read.
 */
public final class RecordAccumulator {

    /** What {@link #append} did. */
    public enum AppendResult {
        /** Added to an open batch that still has room. */
        APPENDED,
        /** Added, and the record opened a new batch (the sender should schedule its linger). */
        NEW_BATCH,
        /** Added, and its batch is now full (the sender should send it). */
        BATCH_FULL,
        /** Not added: it needed a new batch and the caller asked to be told first. */
        ABORTED_FOR_NEW_BATCH
    }

    /** One partition's batches, oldest first. Guarded by its own monitor. */
    static final class PartitionQueue {
        final TopicPartition tp;
        final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
        long nextOrder;
        /** Uncompressed bytes of this partition's latest sealed batch; 0 before its first. */
        int sealedBatchBytes;

        PartitionQueue(TopicPartition tp) {
            this.tp = tp;
        }
    }

    /**
     * What a partition's first batch allocates. A batch grows as records arrive; allocating {@code batch.size}
     * for every partition up front costs a producer spread over 10,000 partitions 640 MB at 64 KiB, and
     * {@code buffer.memory} counts record bytes, not buffers, so nothing would refuse it before the heap ran out.
     */
    static final int FIRST_BATCH_BYTES = 1024;

    private final int batchSize;
    private final long lingerNanos;
    private final long deliveryTimeoutNanos;
    private final CompressionType compression;
    private final ConcurrentMap<String, PartitionQueue[]> topics = new ConcurrentHashMap<>();
    private final List<PartitionQueue> all = new CopyOnWriteArrayList<>();
    private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public RecordAccumulator(int batchSize, long lingerNanos, long deliveryTimeoutNanos, CompressionType compression) {
        this.batchSize = batchSize;
        this.lingerNanos = lingerNanos;
        this.deliveryTimeoutNanos = deliveryTimeoutNanos;
        this.compression = compression;
    }

    /**
     * Appends one record to {@code topic}/{@code partition}.
     *
     * @param estimatedBytes the record's encoded size bound, also what it holds of buffer.memory
     * @param abortOnNewBatch when true, return {@link AppendResult#ABORTED_FOR_NEW_BATCH} instead of
     *                        opening a batch (sticky partitioning moves first)
     */
    public AppendResult append(
            String topic,
            int partition,
            long timestamp,
            byte[] key,
            byte[] value,
            List<Header> headers,
            int estimatedBytes,
            CompletableFuture<RecordMetadata> future,
            Callback callback,
            boolean abortOnNewBatch,
            long nowNanos) {
        PartitionQueue queue = queue(topic, partition);
        synchronized (queue) {
            if (closed) {
                throw new IllegalStateException("Cannot send after the producer is closed");
            }
            ProducerBatch last = queue.batches.peekLast();
            if (last != null
                    && last.tryAppend(timestamp, key, value, headers, estimatedBytes, batchSize, future, callback)) {
                if (last.isFull(batchSize)) {
                    seal(queue, last);
                    return AppendResult.BATCH_FULL;
                }
                return AppendResult.APPENDED;
            }
            if (abortOnNewBatch) {
                return AppendResult.ABORTED_FOR_NEW_BATCH;
            }
            if (last != null) {
                seal(queue, last);
            }
            ProducerBatch batch = new ProducerBatch(
                    queue.tp,
                    queue.nextOrder++,
                    compression,
                    initialCapacity(queue, estimatedBytes),
                    nowNanos,
                    deliveryTimeoutNanos);
            batch.tryAppend(timestamp, key, value, headers, estimatedBytes, batchSize, future, callback);
            queue.batches.addLast(batch);
            incomplete.add(batch);
            if (batch.isFull(batchSize)) {
                seal(queue, batch);
                return AppendResult.BATCH_FULL;
            }
            // A sealed previous batch is ready to go: that wake-up also schedules this one's linger.
            return last != null ? AppendResult.BATCH_FULL : AppendResult.NEW_BATCH;
        }
    }

    /**
     * Moves the ready batches at the head of one partition's queue into {@code out}, oldest first,
     * while their bytes fit {@code maxBytes} (the first always does, so a large record still goes),
     * at most {@code maxBatches} of them. Drained batches are sealed.
     *
     * @return the bytes drained
     */
    int drain(
            PartitionQueue queue,
            long nowNanos,
            boolean sendAll,
            int maxBytes,
            int maxBatches,
            List<ProducerBatch> out) {
        int bytes = 0;
        int count = 0;
        synchronized (queue) {
            while (!queue.batches.isEmpty() && count < maxBatches) {
                ProducerBatch head = queue.batches.peekFirst();
                if (!isReady(queue, head, nowNanos, sendAll)) {
                    break;
                }
                seal(queue, head);
                // The uncompressed size bounds the request; building (compressing) happens later on
                // the sender thread, outside this lock, so appenders to this partition never wait for it.
                int size = head.sizeBound();
                if (bytes > 0 && bytes + size > maxBytes) {
                    break;
                }
                queue.batches.pollFirst();
                out.add(head);
                bytes += size;
                count++;
            }
        }
        return bytes;
    }

    /**
     * A new batch's buffer: as large as the partition's previous batch grew (a busy partition fills
     * {@code batch.size} again without regrowing), at most {@code batch.size}, and at least the record it opens
     * with; {@link #FIRST_BATCH_BYTES} before the partition had a batch. Caller holds the queue's lock.
     */
    private int initialCapacity(PartitionQueue queue, int estimatedBytes) {
        int previous = queue.sealedBatchBytes > 0 ? queue.sealedBatchBytes : FIRST_BATCH_BYTES;
        return Math.max(estimatedBytes, Math.min(batchSize, previous));
    }

    /** Caller holds the queue's lock. */
    private static void seal(PartitionQueue queue, ProducerBatch batch) {
        if (!batch.isSealed()) {
            batch.seal();
            queue.sealedBatchBytes = batch.sizeBound();
        }
    }

    /** The batch at the head of {@code queue}, or null. Only the sender thread removes heads, so it stays the head. */
    ProducerBatch head(PartitionQueue queue) {
        synchronized (queue) {
            return queue.batches.peekFirst();
        }
    }

    /**
     * When the head batch of {@code queue} becomes ready (monotonic nanoseconds), {@code nowNanos} if
     * it already is, or {@link Long#MAX_VALUE} when the queue is empty.
     */
    long readyAt(PartitionQueue queue, long nowNanos, boolean sendAll) {
        synchronized (queue) {
            ProducerBatch head = queue.batches.peekFirst();
            if (head == null) {
                return Long.MAX_VALUE;
            }
            if (isReady(queue, head, nowNanos, sendAll)) {
                return nowNanos;
            }
            return head.attempts > 0 ? head.retryAtNanos : head.createdNanos + lingerNanos;
        }
    }

    private boolean isReady(PartitionQueue queue, ProducerBatch head, long nowNanos, boolean sendAll) {
        if (head.attempts > 0 && nowNanos - head.retryAtNanos < 0) {
            return false;
        }
        return sendAll
                || head.attempts > 0
                || head.isSealed()
                || queue.batches.size() > 1
                || nowNanos - head.createdNanos >= lingerNanos;
    }

    /** Removes and returns the queued batches whose delivery deadline has passed. */
    List<ProducerBatch> expire(PartitionQueue queue, long nowNanos) {
        List<ProducerBatch> expired = null;
        synchronized (queue) {
            Iterator<ProducerBatch> it = queue.batches.iterator();
            while (it.hasNext()) {
                ProducerBatch batch = it.next();
                if (nowNanos - batch.deliveryDeadlineNanos < 0) {
                    break; // batches are queued in creation order, so later ones expire later
                }
                batch.seal();
                it.remove();
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(batch);
            }
        }
        return expired == null ? List.of() : expired;
    }

    /** Puts a batch back for another attempt, in its original order among the partition's batches. */
    void reenqueue(ProducerBatch batch, long retryAtNanos) {
        batch.attempts++;
        batch.retryAtNanos = retryAtNanos;
        PartitionQueue queue = queue(batch.tp.topic(), batch.tp.partition());
        synchronized (queue) {
            List<ProducerBatch> rest = new ArrayList<>(queue.batches);
            queue.batches.clear();
            boolean placed = false;
            for (ProducerBatch b : rest) {
                if (!placed && b.order > batch.order) {
                    queue.batches.addLast(batch);
                    placed = true;
                }
                queue.batches.addLast(b);
            }
            if (!placed) {
                queue.batches.addLast(batch);
            }
        }
    }

    /**
     * Refuses further appends and removes every queued batch. An append racing with this either
     * lands before its partition is drained (and is returned) or sees the refusal.
     */
    List<ProducerBatch> closeAndDrainAll() {
        closed = true;
        List<ProducerBatch> out = new ArrayList<>();
        for (PartitionQueue queue : all) {
            synchronized (queue) {
                queue.batches.forEach(ProducerBatch::seal);
                out.addAll(queue.batches);
                queue.batches.clear();
            }
        }
        return out;
    }

    void completed(ProducerBatch batch) {
        incomplete.remove(batch);
    }

    List<PartitionQueue> queues() {
        return all;
    }

    boolean hasQueued() {
        for (PartitionQueue queue : all) {
            synchronized (queue) {
                if (!queue.batches.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A snapshot of the batches not yet completed, for {@code flush()}. */
    public List<CompletableFuture<Void>> incompleteBatches() {
        List<CompletableFuture<Void>> out = new ArrayList<>();
        for (ProducerBatch batch : incomplete) {
            out.add(batch.done);
        }
        return out;
    }

    private PartitionQueue queue(String topic, int partition) {
        PartitionQueue[] queues = topics.get(topic);
        if (queues != null && partition < queues.length && queues[partition] != null) {
            return queues[partition];
        }
        synchronized (this) {
            queues = topics.get(topic);
            if (queues != null && partition < queues.length && queues[partition] != null) {
                return queues[partition];
            }
            PartitionQueue[] grown = queues == null
                    ? new PartitionQueue[partition + 1]
                    : Arrays.copyOf(queues, Math.max(queues.length, partition + 1));
            PartitionQueue created = new PartitionQueue(new TopicPartition(topic, partition));
            grown[partition] = created;
            topics.put(topic, grown);
            all.add(created);
            return created;
        }
    }
}
