package io.ferry.client.internal;

import io.ferry.client.Callback;
import io.ferry.client.RecordMetadata;
import io.ferry.client.TopicPartition;
import io.ferry.record.CompressionType;
import io.ferry.record.Header;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The records collected for one partition and sent as one RecordBatch v2, with each record's future
 * and callback.
 *
 * <p>Threads: until {@link #seal()}, appends come from sending threads under the owning
 * {@link RecordAccumulator.PartitionQueue}'s lock; the sender seals it under that same lock, and from
 * then on only the sender thread touches it (the {@link #done} future excepted).
 */
public final class ProducerBatch {

    private static final int INITIAL_RECORDS = 16;

    final TopicPartition tp;
    /** Creation order among the partition's batches, from 0; the queue keeps batches in this order. */
    final long order;

    final long createdNanos;
    final long deliveryDeadlineNanos;
    /** Completed once every record's future is; what {@code flush()} waits on. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    private final RecordBatchBuilder builder;
    private CompletableFuture<RecordMetadata>[] futures;
    private Callback[] callbacks;
    private long[] timestamps;
    private int count;
    private long reservedBytes;
    private boolean sealed;
    private ByteBuffer built;

    int attempts;
    long retryAtNanos;
    /** The producer sequence of the first record once {@link #stamp}ed, else -1; kept on every retry. */
    int baseSequence = -1;

    long producerId = -1;
    /**
     * Which of its partition's runs the batch was first sent in, once {@link #stamp}ed: a run is the new
     * batches of a partition one request carries, which the leader appends back to back
     * ({@link ProducerSequences}). Kept on every retry.
     */
    long run = -1;
    /** Whether an attempt is on the wire, unanswered; kept by {@link ProducerSequences}. */
    boolean onWire;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ProducerBatch(
            TopicPartition tp,
            long order,
            CompressionType compression,
            int capacity,
            long nowNanos,
            long deliveryTimeoutNanos) {
        this.tp = tp;
        this.order = order;
        this.createdNanos = nowNanos;
        this.deliveryDeadlineNanos = nowNanos + deliveryTimeoutNanos;
        this.builder = RecordBatchBuilder.create(compression, capacity);
        this.futures = new CompletableFuture[INITIAL_RECORDS];
        this.timestamps = new long[INITIAL_RECORDS];
    }

    /**
     * Appends when the batch is open and either empty or still below {@code batchSize} with the
     * record added.
     */
    boolean tryAppend(
            long timestamp,
            byte[] key,
            byte[] value,
            List<Header> headers,
            int estimatedBytes,
            int batchSize,
            CompletableFuture<RecordMetadata> future,
            Callback callback) {
        if (sealed || (count > 0 && builder.uncompressedSizeInBytes() + estimatedBytes > batchSize)) {
            return false;
        }
        builder.append(timestamp, key, value, headers);
        if (count == futures.length) {
            futures = Arrays.copyOf(futures, count * 2);
            timestamps = Arrays.copyOf(timestamps, count * 2);
            if (callbacks != null) {
                callbacks = Arrays.copyOf(callbacks, count * 2);
            }
        }
        if (callback != null) {
            if (callbacks == null) {
                callbacks = new Callback[futures.length];
            }
            callbacks[count] = callback;
        }
        futures[count] = future;
        timestamps[count] = timestamp;
        count++;
        reservedBytes += estimatedBytes;
        return true;
    }

    boolean isFull(int batchSize) {
        return builder.uncompressedSizeInBytes() >= batchSize;
    }

    boolean isSealed() {
        return sealed;
    }

    void seal() {
        sealed = true;
    }

    int recordCount() {
        return count;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    /** Bytes of heap the batch's buffer holds now. */
    int allocatedBytes() {
        return builder.allocatedBytes();
    }

    /** Size for request sizing: the built batch once built, else the uncompressed bytes so far (an upper bound). */
    int sizeBound() {
        return built != null ? built.remaining() : builder.uncompressedSizeInBytes();
    }

    boolean isStamped() {
        return baseSequence >= 0;
    }

    /**
     * Stamps an idempotent producer's id, epoch and base sequence; a retry must carry the same bytes, so
     * the broker recognises it as the batch it may already hold. Normally done once, before the batch is
     * built; a batch stamped anew after {@link #unstamp} has its built bytes rewritten (and CRC recomputed).
     */
    void stamp(long producerId, short producerEpoch, int baseSequence) {
        if (isStamped()) {
            throw new IllegalStateException("batch for " + tp + " already stamped");
        }
        if (built == null) {
            builder.producer(producerId, producerEpoch, baseSequence);
        } else {
            built = restamped(built, producerId, producerEpoch, baseSequence);
        }
        this.producerId = producerId;
        this.baseSequence = baseSequence;
    }

    /**
     * Drops the stamp of a batch known not to be in the log (a gap before it kept it out), so that it is
     * stamped again under a fresh producer id.
     */
    void unstamp() {
        this.producerId = -1;
        this.baseSequence = -1;
        this.run = -1;
    }

    /** A copy of {@code batch} with another producer id, epoch and base sequence, and the CRC that covers them. */
    private static ByteBuffer restamped(ByteBuffer batch, long producerId, short producerEpoch, int baseSequence) {
        ByteBuffer copy =
                ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip();
        copy.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId)
                .putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch)
                .putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        CRC32C crc = new CRC32C();
        crc.update(copy.duplicate().position(RecordBatch.ATTRIBUTES_OFFSET));
        copy.putInt(RecordBatch.CRC_OFFSET, (int) crc.getValue());
        return copy;
    }

    /** The encoded batch; built (and compressed) once, on the first call after {@link #seal()}. */
    ByteBuffer bytes() {
        if (built == null) {
            built = builder.build();
        }
        return built.duplicate();
    }

    /** Completes every record: offsets from {@code baseOffset} ({@code -1} stays -1 for acks=0). */
    void complete(long baseOffset, long logAppendTimeMs) {
        for (int i = 0; i < count; i++) {
            long offset = baseOffset < 0 ? -1 : baseOffset + i;
            long ts = logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i];
            RecordMetadata metadata = new RecordMetadata(tp.topic(), tp.partition(), offset, ts);
            if (callbacks != null && callbacks[i] != null) {
                runCallback(callbacks[i], metadata, null);
            }
            futures[i].complete(metadata);
        }
        done.complete(null);
    }

    void fail(RuntimeException error) {
        for (int i = 0; i < count; i++) {
            if (callbacks != null && callbacks[i] != null) {
                runCallback(callbacks[i], null, error);
            }
            futures[i].completeExceptionally(error);
        }
        done.complete(null);
    }

    private static void runCallback(Callback callback, RecordMetadata metadata, Exception error) {
        try {
            callback.onCompletion(metadata, error);
        } catch (RuntimeException e) {
            // A failing user callback must not stop the sender or the other records' completion.
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }
}
