package io.ferry.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.FerryTransportException;
import io.ferry.client.ProducerConfig;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicProduceResult;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer's one network thread. It owns the produce streams, the in-flight requests and every
 * retry decision: it takes ready batches from the {@link RecordAccumulator}, groups them by partition
 * leader into one request per broker (up to {@code max.request.size}), writes them on that broker's
 * {@link ProduceStream} while flow control and {@code max.in.flight.requests.per.connection} allow,
 * and completes, retries or fails batches from the answers that gRPC threads {@link #post} to it.
 *
 * <p>Per-partition order holds without retries: a partition's batches leave its queue oldest first
 * and one stream keeps their order. A retried batch goes back to its place in the queue, but with more
 * than one request in flight a later batch may already have been appended (as in Kafka without
 * idempotence). With {@code max.in.flight.requests.per.connection=1} a partition with a batch in
 * flight is muted until it is answered, so order holds across retries and leader moves too.
 *
 * <p>An idempotent producer keeps order with sequences instead of muting: {@link ProducerSequences}
 * stamps each batch when it is first drained and decides when a partition's batches may be drained (as
 * many new ones as a request holds, in up to {@code max.in.flight.requests.per.connection} runs; a retry
 * only alone and in sequence order) and whether a batch refused as out of sequence is retried.
 */
public final class Sender implements Runnable {

    /** Longest the loop sleeps with nothing scheduled, so expiry checks run even when idle. */
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final RecordAccumulator accumulator;
    private final MetadataManager metadata;
    private final Channels channels;
    private final MemoryLimiter memory;
    private final Acks acks;
    private final int maxRequestSize;
    private final int requestTimeoutMs;
    private final int maxInFlight;
    private final int retries;
    private final long retryBackoffNanos;
    private final long deliveryTimeoutMs;

    private final ConcurrentLinkedQueue<ProduceStream.Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicInteger flushesInProgress = new AtomicInteger();
    private volatile Thread thread;
    private volatile boolean closing;
    private volatile boolean forceClose;
    private volatile long closeDeadlineNanos;

    // Sender thread only.
    private final Map<Integer, ProduceStream> streams = new HashMap<>();
    /** Partitions with a batch in flight, when order is guaranteed by muting (max in flight 1). */
    private final Set<TopicPartition> muted = new HashSet<>();

    private final boolean guaranteeOrder;
    /** Null unless the producer is idempotent. */
    private final ProducerSequences sequences;

    private long nextCorrelationId;

    public Sender(
            ProducerConfig config,
            RecordAccumulator accumulator,
            MetadataManager metadata,
            Channels channels,
            MemoryLimiter memory) {
        this.accumulator = accumulator;
        this.metadata = metadata;
        this.channels = channels;
        this.memory = memory;
        this.acks = config.acks();
        this.maxRequestSize = config.maxRequestSize();
        this.requestTimeoutMs = config.requestTimeoutMs();
        this.maxInFlight = config.maxInFlightRequestsPerConnection();
        this.retries = config.retries();
        this.retryBackoffNanos = TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs());
        this.deliveryTimeoutMs = config.deliveryTimeoutMs();
        this.sequences = config.idempotenceEnabled()
                ? new ProducerSequences(
                        new ProducerIdentity(
                                channels, () -> brokers(config), requestTimeoutMs, retryBackoffNanos, this::wakeup),
                        maxInFlight)
                : null;
        this.guaranteeOrder = maxInFlight == 1 && acks != Acks.ACKS_NONE;
    }

    private List<InetSocketAddress> brokers(ProducerConfig config) {
        List<InetSocketAddress> brokers = new ArrayList<>(metadata.view().brokerAddresses());
        brokers.addAll(config.bootstrapServers());
        return brokers;
    }

    /** Wakes the sender thread if it sleeps; cheap when a wake-up is already pending. Any thread. */
    public void wakeup() {
        if (!wakeupPending.getAndSet(true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Hands a stream event to the sender thread. Any thread. */
    void post(ProduceStream.Event event) {
        events.add(event);
        wakeup();
    }

    /** While positive, every queued batch is ready regardless of linger. */
    public void beginFlush() {
        flushesInProgress.incrementAndGet();
        wakeup();
    }

    public void endFlush() {
        flushesInProgress.decrementAndGet();
    }

    /**
     * Asks the loop to send what is queued and stop once nothing is queued or in flight, or at the
     * deadline (monotonic nanoseconds), failing what is left. {@code force} stops at once.
     */
    public void initiateClose(long deadlineNanos, boolean force) {
        closeDeadlineNanos = deadlineNanos;
        forceClose = force;
        closing = true;
        wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (true) {
                wakeupPending.set(false);
                long now = System.nanoTime();
                processEvents(now);
                if (closing
                        && (forceClose
                                || now - closeDeadlineNanos >= 0
                                || (!accumulator.hasQueued() && !anyInFlight()))) {
                    break;
                }
                long next;
                try {
                    next = runOnce(now);
                } catch (RuntimeException e) {
                    // A bug must not silently stop every future send: report it and keep the loop alive.
                    Thread t = Thread.currentThread();
                    t.getUncaughtExceptionHandler().uncaughtException(t, e);
                    next = now + MAX_IDLE_NANOS;
                }
                long wait = next - System.nanoTime();
                if (wait > 0 && !wakeupPending.get()) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } finally {
            shutdown();
        }
    }

    private long runOnce(long now) {
        ClusterView view = metadata.view();
        boolean sendAll = closing || flushesInProgress.get() > 0;
        long next = now + MAX_IDLE_NANOS;
        Map<Integer, List<ProducerBatch>> perBroker = new HashMap<>();
        Map<Integer, Integer> bytesPerBroker = new HashMap<>();
        boolean waitingForId = sequences != null && sequences.current(now) == null;
        for (RecordAccumulator.PartitionQueue queue : accumulator.queues()) {
            for (ProducerBatch expired : accumulator.expire(queue, now)) {
                fail(expired, expiredError(expired, null));
            }
            if ((guaranteeOrder && muted.contains(queue.tp)) || waitingForId) {
                continue;
            }
            long readyAt = accumulator.readyAt(queue, now, sendAll);
            if (readyAt == Long.MAX_VALUE) {
                continue;
            }
            if (readyAt - now > 0) {
                next = Math.min(next, readyAt);
                continue;
            }
            int leader = view.leader(queue.tp);
            ProduceStream stream = leader < 0 ? null : stream(leader, view.address(leader));
            if (stream == null) {
                metadata.requestUpdate();
                continue;
            }
            if (!canSend(stream)) {
                continue;
            }
            int used = bytesPerBroker.getOrDefault(leader, 0);
            if (used >= maxRequestSize) {
                next = now;
                continue;
            }
            int maxBatches = Integer.MAX_VALUE;
            if (sequences != null) {
                ProducerBatch head = accumulator.head(queue);
                maxBatches = head == null ? 0 : sequences.drainable(queue.tp, head, now);
                if (maxBatches == 0) {
                    continue;
                }
            }
            List<ProducerBatch> batches = perBroker.computeIfAbsent(leader, id -> new ArrayList<>());
            int before = batches.size();
            int drained = accumulator.drain(queue, now, sendAll, maxRequestSize - used, maxBatches, batches);
            bytesPerBroker.put(leader, used + drained);
            if (sequences != null) {
                sequences.sent(batches.subList(before, batches.size()));
            }
        }
        perBroker.forEach((brokerId, batches) -> {
            if (!batches.isEmpty()) {
                sendRequest(streams.get(brokerId), batches, now);
            }
        });
        for (ProduceStream stream : new ArrayList<>(streams.values())) {
            if (!stream.inFlight.isEmpty()) {
                long deadline = stream.inFlight.values().iterator().next().deadlineNanos();
                if (now - deadline >= 0) {
                    stream.cancel("request timed out");
                    failStream(
                            stream,
                            new FerryTimeoutException("broker " + stream.brokerId
                                    + " did not answer a produce request within request.timeout.ms (" + requestTimeoutMs
                                    + " ms)"),
                            now);
                } else {
                    next = Math.min(next, deadline);
                }
            }
        }
        return next;
    }

    private boolean canSend(ProduceStream stream) {
        return stream.canSend(acks == Acks.ACKS_NONE ? Integer.MAX_VALUE : maxInFlight);
    }

    private ProduceStream stream(int brokerId, InetSocketAddress address) {
        ProduceStream stream = streams.get(brokerId);
        if ((stream == null || stream.broken) && address != null) {
            stream = ProduceStream.open(brokerId, channels.get(address), this);
            streams.put(brokerId, stream);
        }
        return stream;
    }

    private void sendRequest(ProduceStream stream, List<ProducerBatch> batches, long now) {
        long correlationId = nextCorrelationId++;
        Map<TopicPartition, List<ProducerBatch>> byPartition = new LinkedHashMap<>();
        for (ProducerBatch batch : batches) {
            byPartition.computeIfAbsent(batch.tp, tp -> new ArrayList<>(1)).add(batch);
        }
        Map<String, TopicProduceData.Builder> topics = new LinkedHashMap<>();
        byPartition.forEach((tp, list) -> {
            ByteString records = ByteString.EMPTY;
            for (ProducerBatch batch : list) {
                records = records.concat(UnsafeByteOperations.unsafeWrap(batch.bytes()));
            }
            topics.computeIfAbsent(
                            tp.topic(), t -> TopicProduceData.newBuilder().setTopic(t))
                    .addPartitions(PartitionProduceData.newBuilder()
                            .setPartition(tp.partition())
                            .setRecords(records));
        });
        ProduceRequest.Builder request = ProduceRequest.newBuilder()
                .setCorrelationId(correlationId)
                .setAcks(acks)
                .setTimeoutMs(requestTimeoutMs);
        topics.values().forEach(request::addTopics);
        stream.send(request.build());
        if (acks == Acks.ACKS_NONE) {
            batches.forEach(batch -> complete(batch, -1, -1));
        } else {
            stream.inFlight.put(
                    correlationId,
                    new ProduceStream.InFlight(
                            correlationId, now + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs), byPartition));
            if (guaranteeOrder) {
                muted.addAll(byPartition.keySet());
            }
        }
    }

    private void processEvents(long now) {
        ProduceStream.Event event;
        while ((event = events.poll()) != null) {
            if (event instanceof ProduceStream.Answer answer) {
                handleAnswer(answer.stream(), answer.response(), now);
            } else if (event instanceof ProduceStream.Failure failure && !failure.stream().broken) {
                failStream(
                        failure.stream(),
                        new FerryTransportException(
                                "produce stream to broker " + failure.stream().brokerId + " failed: "
                                        + failure.cause().getMessage(),
                                failure.cause()),
                        now);
            }
        }
    }

    private void handleAnswer(ProduceStream stream, ProduceResponse response, long now) {
        ProduceStream.InFlight request = stream.inFlight.remove(response.getCorrelationId());
        if (request == null) {
            return;
        }
        muted.removeAll(request.batches().keySet());
        Map<TopicPartition, List<ProducerBatch>> pending = new HashMap<>(request.batches());
        for (TopicProduceResult topic : response.getTopicsList()) {
            for (PartitionProduceResult result : topic.getPartitionsList()) {
                List<ProducerBatch> batches =
                        pending.remove(new TopicPartition(topic.getTopic(), result.getPartition()));
                if (batches != null) {
                    handlePartition(batches, result, now);
                }
            }
        }
        pending.forEach((tp, batches) -> batches.forEach(batch -> answeredWithError(
                batch,
                new FerryException(
                        ErrorCode.UNKNOWN_SERVER_ERROR,
                        "broker " + stream.brokerId + " answered without a result for " + tp),
                now)));
    }

    private void handlePartition(List<ProducerBatch> batches, PartitionProduceResult result, long now) {
        ErrorCode code = result.hasError() ? result.getError().getCode() : ErrorCode.NONE;
        if (code == ErrorCode.NONE) {
            long offset = result.getBaseOffset();
            for (ProducerBatch batch : batches) {
                if (sequences != null) {
                    sequences.acknowledged(batch);
                }
                complete(batch, offset, result.getLogAppendTimeMs());
                if (offset >= 0) {
                    offset += batch.recordCount();
                }
            }
            return;
        }
        if (code == ErrorCode.NOT_LEADER
                || code == ErrorCode.UNKNOWN_TOPIC
                || code == ErrorCode.UNKNOWN_PARTITION
                || code == ErrorCode.FENCED_LEADER_EPOCH
                || code == ErrorCode.UNKNOWN_LEADER_EPOCH) {
            metadata.requestUpdate();
        }
        ProducerBatch first = batches.get(0);
        String stamp = first.isStamped()
                ? " (producer id " + first.producerId + ", base sequence " + first.baseSequence + ")"
                : "";
        FerryException error = new FerryException(
                code, first.tp + stamp + ": " + result.getError().getMessage());
        batches.forEach(batch -> answeredWithError(batch, error, now));
    }

    private void failStream(ProduceStream stream, FerryException error, long now) {
        stream.broken = true;
        streams.remove(stream.brokerId, stream);
        metadata.requestUpdate();
        List<ProduceStream.InFlight> requests = new ArrayList<>(stream.inFlight.values());
        stream.inFlight.clear();
        for (ProduceStream.InFlight request : requests) {
            muted.removeAll(request.batches().keySet());
            request.batches().values().forEach(list -> list.forEach(batch -> answeredWithError(batch, error, now)));
        }
    }

    /**
     * An attempt of {@code batch} failed with {@code error} (an answer, or a lost stream). An idempotent
     * producer retries a batch refused as out of sequence when an earlier batch of its partition explains it.
     */
    private void answeredWithError(ProducerBatch batch, FerryException error, long now) {
        boolean retriable = error.retriable();
        if (sequences != null) {
            if (error.code() == ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && batch.isStamped()) {
                retriable = sequences.outOfOrderIsRetriable(batch);
            }
            sequences.returned(batch);
        }
        if (!retriable || forceClose) {
            fail(batch, error);
        } else if (now + retryBackoffNanos - batch.deliveryDeadlineNanos >= 0) {
            fail(batch, expiredError(batch, error));
        } else if (batch.attempts >= retries) {
            fail(batch, error);
        } else {
            accumulator.reenqueue(batch, now + retryBackoffNanos);
        }
    }

    private FerryTimeoutException expiredError(ProducerBatch batch, FerryException last) {
        return new FerryTimeoutException(
                "Expiring " + batch.recordCount() + " record(s) for " + batch.tp
                        + ": delivery.timeout.ms (" + deliveryTimeoutMs + " ms) passed since the batch was created"
                        + (last == null ? "" : "; last error: " + last.getMessage()),
                last);
    }

    private void complete(ProducerBatch batch, long baseOffset, long logAppendTimeMs) {
        accumulator.completed(batch);
        memory.release(batch.reservedBytes());
        batch.complete(baseOffset, logAppendTimeMs);
    }

    private void fail(ProducerBatch batch, RuntimeException error) {
        if (sequences != null) {
            sequences.failed(batch);
        }
        accumulator.completed(batch);
        memory.release(batch.reservedBytes());
        batch.fail(error);
    }

    private boolean anyInFlight() {
        for (ProduceStream stream : streams.values()) {
            if (!stream.inFlight.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void shutdown() {
        FerryException closed = new FerryException(
                ErrorCode.UNKNOWN_SERVER_ERROR, "the producer was closed before the record was acknowledged");
        for (ProduceStream stream : streams.values()) {
            for (ProduceStream.InFlight request : stream.inFlight.values()) {
                request.batches().values().forEach(list -> list.forEach(batch -> fail(batch, closed)));
            }
            stream.inFlight.clear();
            stream.finish();
        }
        streams.clear();
        accumulator.closeAndDrainAll().forEach(batch -> fail(batch, closed));
    }
}
