package io.ferry.client;

import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.record.BatchScanner;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A test cluster of in-JVM {@link FakeBroker}s on loopback ports sharing one view of topics,
 * leaders and partition logs (as if replication were instant). Fault verbs: {@link #moveLeader},
 * and each broker's {@link FakeBroker#failNextProduce}, {@link FakeBroker#holdProduceResponses}.
 * Thread-safe: every method synchronizes on the cluster.
 */
final class FakeCluster implements AutoCloseable {

    /** One partition's log: batches with offsets assigned, as a leader would store them. */
    static final class PartitionLog {
        final List<RecordBatch> batches = new ArrayList<>();
        long logStartOffset;
        long logEndOffset;
        int leader;
        int leaderEpoch;
        /**
         * Per producer id, its last {@link #KEPT_RUNS} runs of stored batches (batches back to back with
         * consecutive sequences), oldest first (with checkSequences).
         */
        final Map<Long, Deque<List<RecordBatch>>> producers = new HashMap<>();
    }

    /** A leader's refusal of a batch for its producer id, epoch or sequence: nothing was appended. */
    static final class SequenceRefused extends Exception {
        final ErrorCode code;

        SequenceRefused(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** Runs a leader keeps per producer to recognise retries, as the broker's ProducerStateManager. */
    private static final int KEPT_RUNS = 5;

    private final List<FakeBroker> brokers = new ArrayList<>();
    private final Map<String, TopicRecord> topics = new LinkedHashMap<>();
    private final Map<TopicPartition, PartitionLog> logs = new LinkedHashMap<>();
    private long nextProducerId = 1000;
    private boolean checkSequences;

    FakeCluster(int brokerCount) throws IOException {
        for (int id = 1; id <= brokerCount; id++) {
            brokers.add(new FakeBroker(id, this));
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + brokers.get(0).port();
    }

    FakeBroker broker(int id) {
        return brokers.get(id - 1);
    }

    synchronized void createTopic(String name, int partitions) {
        TopicRecord topic = TopicRecord.newBuilder()
                .setName(name)
                .setTopicId(UUID.randomUUID().toString())
                .setPartitionCount(partitions)
                .setReplicationFactor(Math.min(3, brokers.size()))
                .build();
        topics.put(name, topic);
        for (int p = 0; p < partitions; p++) {
            PartitionLog log = new PartitionLog();
            log.leader = brokers.get(p % brokers.size()).id();
            log.leaderEpoch = 0;
            logs.put(new TopicPartition(name, p), log);
        }
    }

    /**
     * From now on appends check producer ids as the broker does: a lone batch equal to one in its
     * producer's last five runs is answered with its offsets and not stored again; an older epoch is
     * INVALID_PRODUCER_EPOCH; a sequence that does not follow the producer's last (a new epoch: 0) is
     * OUT_OF_ORDER_SEQUENCE_NUMBER; a producer the partition has not seen may start anywhere.
     */
    synchronized void checkSequences() {
        checkSequences = true;
    }

    /** A producer id no InitProducerId answered before, from any broker. */
    synchronized long nextProducerId() {
        return nextProducerId++;
    }

    synchronized boolean hasTopic(String name) {
        return topics.containsKey(name);
    }

    synchronized void deleteTopic(String name) {
        topics.remove(name);
        logs.keySet().removeIf(tp -> tp.topic().equals(name));
    }

    synchronized void moveLeader(TopicPartition tp, int newLeader) {
        PartitionLog log = logs.get(tp);
        log.leader = newLeader;
        log.leaderEpoch++;
    }

    synchronized int leader(TopicPartition tp) {
        return logs.get(tp).leader;
    }

    synchronized int leaderEpoch(TopicPartition tp) {
        return logs.get(tp).leaderEpoch;
    }

    /** Drops everything before {@code offset}, as retention would. */
    synchronized void truncateBefore(TopicPartition tp, long offset) {
        PartitionLog log = logs.get(tp);
        log.batches.removeIf(b -> b.lastOffset() < offset);
        log.logStartOffset = offset;
    }

    synchronized PartitionLog log(TopicPartition tp) {
        return logs.get(tp);
    }

    /** Appends the batches in {@code records}, assigning offsets; returns the base offset. */
    synchronized long append(TopicPartition tp, ByteBuffer records) throws CorruptBatchException, SequenceRefused {
        PartitionLog log = logs.get(tp);
        BatchScanner scanner = BatchScanner.of(records);
        long base = log.logEndOffset;
        List<RecordBatch> parsed = new ArrayList<>();
        RecordBatch batch;
        while ((batch = scanner.next()) != null) {
            parsed.add(batch);
        }
        if (checkSequences) {
            RecordBatch original = parsed.size() == 1 ? keptEqual(log, parsed.get(0)) : null;
            if (original != null) {
                return original.baseOffset();
            }
            checkFollows(log, parsed);
        }
        for (RecordBatch b : parsed) {
            ByteBuffer copy = ByteBuffer.allocate(b.sizeInBytes());
            copy.put(b.buffer()).flip();
            RecordBatch stored = RecordBatch.wrap(copy);
            stored.setBaseOffset(log.logEndOffset);
            stored.setPartitionLeaderEpoch(log.leaderEpoch);
            log.batches.add(stored);
            log.logEndOffset = stored.nextOffset();
            if (stored.producerId() >= 0) {
                Deque<List<RecordBatch>> runs =
                        log.producers.computeIfAbsent(stored.producerId(), id -> new ArrayDeque<>());
                List<RecordBatch> run = runs.peekLast();
                RecordBatch previous = run == null ? null : run.get(run.size() - 1);
                if (previous != null
                        && previous.producerEpoch() == stored.producerEpoch()
                        && previous.lastOffset() + 1 == stored.baseOffset()
                        && previous.baseSequence() + previous.recordCount() == stored.baseSequence()) {
                    run.add(stored);
                } else {
                    runs.addLast(new ArrayList<>(List.of(stored)));
                    if (runs.size() > KEPT_RUNS) {
                        runs.removeFirst();
                    }
                }
            }
        }
        return base;
    }

    private static RecordBatch keptEqual(PartitionLog log, RecordBatch batch) {
        for (RecordBatch kept : log.producers.getOrDefault(batch.producerId(), new ArrayDeque<>()).stream()
                .flatMap(List::stream)
                .toList()) {
            if (kept.producerEpoch() == batch.producerEpoch()
                    && kept.baseSequence() == batch.baseSequence()
                    && kept.recordCount() == batch.recordCount()) {
                return kept;
            }
        }
        return null;
    }

    private static void checkFollows(PartitionLog log, List<RecordBatch> batches) throws SequenceRefused {
        Map<Long, RecordBatch> last = new HashMap<>();
        log.producers.forEach(
                (id, runs) -> last.put(id, runs.peekLast().get(runs.peekLast().size() - 1)));
        for (RecordBatch b : batches) {
            RecordBatch previous = b.producerId() < 0 ? null : last.get(b.producerId());
            if (previous != null) {
                if (b.producerEpoch() < previous.producerEpoch()) {
                    throw new SequenceRefused(ErrorCode.INVALID_PRODUCER_EPOCH, "epoch " + b.producerEpoch());
                }
                int expected = b.producerEpoch() > previous.producerEpoch()
                        ? 0
                        : previous.baseSequence() + previous.recordCount();
                if (b.baseSequence() != expected) {
                    throw new SequenceRefused(
                            ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "producer " + b.producerId() + " sent sequence " + b.baseSequence() + ", expected "
                                    + expected);
                }
            }
            if (b.producerId() >= 0) {
                last.put(b.producerId(), b);
            }
        }
    }

    /**
     * Appends one batch as given, checked for nothing (a log written by an older or broken broker), with
     * the next offsets as its header's last offset delta counts them.
     */
    synchronized void appendUnchecked(TopicPartition tp, ByteBuffer batch) throws CorruptBatchException {
        PartitionLog log = logs.get(tp);
        RecordBatch stored = RecordBatch.wrap(
                ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip());
        stored.setBaseOffset(log.logEndOffset);
        stored.setPartitionLeaderEpoch(log.leaderEpoch);
        log.batches.add(stored);
        log.logEndOffset = stored.nextOffset();
    }

    /** Every stored batch of the partition. */
    synchronized List<RecordBatch> batches(TopicPartition tp) {
        return List.copyOf(logs.get(tp).batches);
    }

    /** The values of every stored record of the partition, as UTF-8 strings, in offset order. */
    synchronized List<String> values(TopicPartition tp) throws CorruptBatchException {
        List<String> out = new ArrayList<>();
        for (RecordBatch b : logs.get(tp).batches) {
            RecordIterator it = b.records();
            while (it.hasNext()) {
                Record r = it.next();
                out.add(r.hasValue() ? new String(r.valueBytes(), StandardCharsets.UTF_8) : null);
            }
        }
        return out;
    }

    synchronized List<BrokerRegistration> registrations() {
        List<BrokerRegistration> out = new ArrayList<>();
        for (FakeBroker b : brokers) {
            out.add(BrokerRegistration.newBuilder()
                    .setBrokerId(b.id())
                    .setIncarnationId("i" + b.id())
                    .addEndpoints(Endpoint.newBuilder()
                            .setName("CLIENT")
                            .setHost("127.0.0.1")
                            .setPort(b.port()))
                    .build());
        }
        return out;
    }

    synchronized TopicRecord topic(String name) {
        return topics.get(name);
    }

    synchronized List<String> topicNames() {
        return List.copyOf(topics.keySet());
    }

    synchronized List<PartitionRecord> partitions(String topic) {
        List<PartitionRecord> out = new ArrayList<>();
        logs.forEach((tp, log) -> {
            if (tp.topic().equals(topic)) {
                out.add(PartitionRecord.newBuilder()
                        .setTopic(topic)
                        .setTopicId(topics.get(topic).getTopicId())
                        .setPartition(tp.partition())
                        .addReplicas(log.leader)
                        .addIsr(log.leader)
                        .setLeader(log.leader)
                        .setLeaderEpoch(log.leaderEpoch)
                        .build());
            }
        });
        return out;
    }

    static Error error(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code).setMessage(message).build();
    }

    @Override
    public void close() {
        brokers.forEach(FakeBroker::close);
    }
}
