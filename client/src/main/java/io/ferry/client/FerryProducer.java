package io.ferry.client;

import io.ferry.client.internal.Channels;
import io.ferry.client.internal.ClusterView;
import io.ferry.client.internal.MemoryLimiter;
import io.ferry.client.internal.MetadataManager;
import io.ferry.client.internal.RecordAccumulator;
import io.ferry.client.internal.RecordAccumulator.AppendResult;
import io.ferry.client.internal.Sender;
import io.ferry.client.internal.StickyPartitioner;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.Header;
import io.ferry.record.KeyPartitioning;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends records to Ferry brokers, batching them per partition, the way Kafka's producer does.
 *
 * <p>{@link #send} encodes the record straight into its partition's open batch and returns; one
 * background sender thread sends batches once they reach {@code batch.size} bytes or have waited
 * {@code linger.ms}, over one gRPC {@code ProduceStream} per broker, and completes each record's
 * future (and runs its callback, on that thread) when the broker answers. Retriable errors (the
 * {@code retriable} option in {@code errors.proto}, and transport failures) are retried after a
 * metadata refresh until {@code delivery.timeout.ms}. Records held in the producer are bounded by
 * {@code buffer.memory}; a full buffer blocks {@code send} for up to {@code max.block.ms}.
 *
 * <p>With {@code enable.idempotence} (the default) the producer gets a producer id from a broker and
 * stamps a per-partition sequence into each batch, so a retry is never appended twice and a
 * partition's records keep their order across retries.
 *
 * <p>Thread-safe: share one producer between threads.
 */
public final class FerryProducer implements AutoCloseable {

    private final ProducerConfig config;
    private final Channels channels;
    private final MetadataManager metadata;
    private final MemoryLimiter memory;
    private final RecordAccumulator accumulator;
    private final StickyPartitioner sticky = new StickyPartitioner();
    private final Sender sender;
    private final Thread senderThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long maxBlockNanos;
    private final int maxRequestSize;
    private final boolean ignoreKeys;

    public FerryProducer(ProducerConfig config) {
        this.config = config;
        this.maxBlockNanos = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        this.maxRequestSize = config.maxRequestSize();
        this.ignoreKeys = config.partitionerIgnoreKeys();
        this.channels =
                new Channels(Integer.MAX_VALUE, config.channelCredentials(), config.clientId(), config.saslLogin());
        this.memory = new MemoryLimiter(config.bufferMemory());
        this.accumulator = new RecordAccumulator(
                config.batchSize(),
                TimeUnit.MILLISECONDS.toNanos(config.lingerMs()),
                TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs()),
                config.compressionType());
        Sender[] senderRef = new Sender[1];
        this.metadata = new MetadataManager(
                config.bootstrapServers(),
                channels,
                config.retryBackoffMs(),
                config.requestTimeoutMs(),
                config.metadataMaxAgeMs(),
                threadName("metadata"),
                () -> senderRef[0].wakeup());
        this.sender = new Sender(config, accumulator, metadata, channels, memory);
        senderRef[0] = sender;
        this.senderThread = new Thread(sender, threadName("sender"));
        senderThread.setDaemon(true);
        senderThread.start();
    }

    /** {@link #send(ProducerRecord, Callback)} without a callback. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord record) {
        return send(record, null);
    }

    /**
     * Queues a record for sending. Blocks only to learn a new topic's partitions or to wait for
     * {@code buffer.memory}, together at most {@code max.block.ms}.
     *
     * @param callback may be null; runs on the sender thread when the record completes
     * @return completes with the record's position, or exceptionally with a {@link FerryException}
     *         (a {@link BufferExhaustedException} or {@link FerryTimeoutException} when the wait was
     *         too long, the broker's error, or a delivery timeout); the callback is told the same
     * @throws IllegalStateException      after {@link #close}
     * @throws FerryInterruptedException  when interrupted while blocked
     */
    public CompletableFuture<RecordMetadata> send(ProducerRecord record, Callback callback) {
        if (closed.get()) {
            throw new IllegalStateException("Cannot send after the producer is closed");
        }
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        try {
            doSend(record, future, callback);
        } catch (FerryInterruptedException e) {
            throw e;
        } catch (FerryException e) {
            if (callback != null) {
                callback.onCompletion(null, e);
            }
            future.completeExceptionally(e);
        }
        return future;
    }

    private void doSend(ProducerRecord record, CompletableFuture<RecordMetadata> future, Callback callback) {
        long start = System.nanoTime();
        long deadline = start + maxBlockNanos;
        String topic = record.topic();
        ClusterView view = metadata.view();
        int partitions = view.partitionCount(topic);
        if (partitions <= 0) {
            view = metadata.awaitTopic(topic, deadline, config.maxBlockMs());
            partitions = view.partitionCount(topic);
        }
        Integer explicit = record.partition();
        if (explicit != null && explicit >= partitions) {
            throw new FerryException(
                    ErrorCode.UNKNOWN_PARTITION,
                    "partition " + explicit + " of topic " + topic + " does not exist: the topic has " + partitions
                            + " partition(s)");
        }
        int size = estimatedSize(record.key(), record.value(), record.headers());
        if (size > maxRequestSize) {
            throw new FerryException(
                    ErrorCode.BATCH_TOO_LARGE,
                    "The record is " + size + " bytes when encoded, larger than max.request.size (" + maxRequestSize
                            + ")");
        }
        if (size > memory.total()) {
            throw new FerryException(
                    ErrorCode.BATCH_TOO_LARGE,
                    "The record is " + size + " bytes when encoded, larger than buffer.memory (" + memory.total()
                            + ")");
        }
        memory.reserve(size, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
        byte[] key = record.key();
        boolean unkeyed = explicit == null && (key == null || ignoreKeys);
        int partition = explicit != null
                ? explicit
                : unkeyed
                        ? sticky.partition(topic, view, partitions)
                        : KeyPartitioning.partitionForKey(key, partitions);
        long now = System.nanoTime();
        AppendResult result;
        try {
            result = accumulator.append(
                    topic,
                    partition,
                    timestamp,
                    key,
                    record.value(),
                    record.headers(),
                    size,
                    future,
                    callback,
                    unkeyed,
                    now);
            if (result == AppendResult.ABORTED_FOR_NEW_BATCH) {
                partition = sticky.next(topic, partition, view, partitions);
                result = accumulator.append(
                        topic,
                        partition,
                        timestamp,
                        key,
                        record.value(),
                        record.headers(),
                        size,
                        future,
                        callback,
                        false,
                        now);
            }
        } catch (RuntimeException e) {
            memory.release(size);
            throw e;
        }
        if (result != AppendResult.APPENDED) {
            sender.wakeup();
        }
    }

    /**
     * Upper bound of a record's encoded size in a batch: every varint at its widest, header keys at
     * three UTF-8 bytes per char. Also what the record holds of {@code buffer.memory} until it completes.
     */
    static int estimatedSize(byte[] key, byte[] value, List<Header> headers) {
        long size = 5 + 1 + 10 + 5 + 5 + 5 + 5;
        size += key == null ? 0 : key.length;
        size += value == null ? 0 : value.length;
        for (Header header : headers) {
            size += 5 + 3L * header.key().length() + 5 + (header.value() == null ? 0 : header.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** The topic's partitions, waiting up to {@code max.block.ms} for metadata. */
    public List<PartitionInfo> partitionsFor(String topic) {
        ClusterView view = metadata.view();
        if (view.partitionCount(topic) <= 0) {
            view = metadata.awaitTopic(topic, System.nanoTime() + maxBlockNanos, config.maxBlockMs());
        }
        return view.partitions(topic);
    }

    /**
     * Sends every queued record now, ignoring {@code linger.ms}, and waits until each record sent
     * before this call has completed (successfully or not). Must not be called from a callback.
     */
    public void flush() {
        if (Thread.currentThread() == senderThread) {
            throw new IllegalStateException("flush() from a producer callback would wait for itself");
        }
        sender.beginFlush();
        try {
            for (CompletableFuture<Void> batch : accumulator.incompleteBatches()) {
                batch.get();
            }
        } catch (InterruptedException e) {
            throw new FerryInterruptedException("interrupted during flush", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch completion failed", e);
        } finally {
            sender.endFlush();
        }
    }

    /** Sends what is queued, waits for its answers as long as needed, and releases all resources. */
    @Override
    public void close() {
        close(Duration.ofDays(365));
    }

    /**
     * Refuses new records, sends what is queued and waits up to {@code timeout} for the answers;
     * records still incomplete then fail. {@link Duration#ZERO} fails them at once.
     */
    public void close(Duration timeout) {
        long timeoutNanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        boolean force = timeoutNanos <= 0;
        if (closed.compareAndSet(false, true) || force) {
            sender.initiateClose(System.nanoTime() + Math.max(0, timeoutNanos), force);
        }
        if (Thread.currentThread() == senderThread) {
            // Called from a callback: the loop stops once this callback returns.
            sender.initiateClose(System.nanoTime(), true);
            return;
        }
        try {
            senderThread.join();
        } catch (InterruptedException e) {
            throw new FerryInterruptedException("interrupted while closing the producer", e);
        } finally {
            if (!senderThread.isAlive()) {
                metadata.close();
                channels.close();
            }
        }
    }

    private String threadName(String role) {
        String id = config.clientId().isEmpty() ? "" : "-" + config.clientId();
        return "ferry-producer" + id + "-" + role;
    }
}
