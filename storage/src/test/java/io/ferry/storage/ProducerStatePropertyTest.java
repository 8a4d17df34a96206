package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.producerBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.internal.BatchMetadata;
import io.ferry.storage.internal.ProducerStateEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Random producers' appends (one batch, or several in one append as Ferry's producer sends them),
 * retries, new epochs, rolls, truncations and reopens (clean, crashed, and with the snapshots deleted)
 * against a model: the producers' batches the log holds. After every step the log's producer state is the
 * one the model's batches give (each producer's last five runs of batches back to back), and a retry of
 * any batch in those runs appends nothing and answers its offsets.
 */
class ProducerStatePropertyTest {

    private static final int LEADER_EPOCH = 1;
    private static final int PRODUCERS = 3;
    private static final LogConfig CONFIG = LogConfig.builder()
            .segmentBytes(700)
            .indexIntervalBytes(64)
            .segmentIndexBytes(64)
            .fileDeleteDelayMs(0)
            .build();

    enum Kind {
        PRODUCE,
        PRODUCE_SEVERAL,
        RETRY,
        NEW_EPOCH,
        PLAIN,
        ROLL,
        TRUNCATE,
        REOPEN_CLEAN,
        REOPEN_CRASHED,
        REOPEN_WITHOUT_SNAPSHOTS
    }

    record Op(Kind kind, int a, int b) {}

    /** A producer's batch in the log. */
    record Produced(long producerId, short epoch, int firstSeq, BatchMetadata metadata) {}

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Kind> kind = Arbitraries.frequency(
                Tuple.of(10, Kind.PRODUCE),
                Tuple.of(4, Kind.PRODUCE_SEVERAL),
                Tuple.of(4, Kind.RETRY),
                Tuple.of(1, Kind.NEW_EPOCH),
                Tuple.of(2, Kind.PLAIN),
                Tuple.of(2, Kind.ROLL),
                Tuple.of(2, Kind.TRUNCATE),
                Tuple.of(1, Kind.REOPEN_CLEAN),
                Tuple.of(1, Kind.REOPEN_CRASHED),
                Tuple.of(1, Kind.REOPEN_WITHOUT_SNAPSHOTS));
        return Combinators.combine(
                        kind,
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.integers().between(0, 1000))
                .as(Op::new);
    }

    private final ManualClock clock = new ManualClock(1_000_000L);
    private final List<Produced> model = new ArrayList<>();
    private final Map<Long, Short> epochs = new HashMap<>();
    private Path root;
    private ScheduledExecutorService scheduler;
    private int dirs;

    @Property(tries = 60)
    void theStateIsTheOneTheLogsBatchesGive(@ForAll @Size(max = 50) List<@From("op") Op> ops) throws Exception {
        model.clear();
        epochs.clear();
        root = Files.createTempDirectory("ferry-producer-state");
        scheduler = Executors.newSingleThreadScheduledExecutor();
        Log log = Log.open(root.resolve("log-0"), CONFIG, 0, clock, scheduler);
        try {
            for (Op op : ops) {
                clock.advance(10);
                log = apply(op, log);
                assertEquals(expected(), log.producerStates(), "after " + op);
            }
        } finally {
            log.close();
            scheduler.shutdownNow();
            deleteTree(root);
        }
    }

    private Log apply(Op op, Log log) throws Exception {
        long producerId = op.a() % PRODUCERS;
        switch (op.kind()) {
            case PRODUCE -> produce(log, producerId, List.of(1 + op.b() % 3));
            case PRODUCE_SEVERAL -> produce(log, producerId, List.of(1 + op.b() % 3, 1, 1 + op.b() % 2, 2));
            case NEW_EPOCH -> {
                epochs.merge(producerId, (short) 1, (a, b) -> (short) (a + b));
                produce(log, producerId, List.of(1));
            }
            case RETRY -> retry(log, producerId, op.b());
            case PLAIN -> log.appendAsLeader(batch(clock.millis(), 2, 10), LEADER_EPOCH);
            case ROLL -> log.roll();
            case TRUNCATE -> {
                log.truncateTo(op.b() % (log.logEndOffset() + 1));
                long end = log.logEndOffset();
                model.removeIf(p -> p.metadata().lastOffset() >= end);
            }
            case REOPEN_CLEAN -> {
                log.close();
                return Log.open(log.dir(), CONFIG, 0, clock, scheduler);
            }
            case REOPEN_CRASHED -> {
                Path image = root.resolve("log-" + ++dirs);
                LogDirs.copy(log.dir(), image);
                log.close();
                return Log.open(image, CONFIG, 0, clock, scheduler);
            }
            case REOPEN_WITHOUT_SNAPSHOTS -> {
                log.close();
                LogDirs.deleteSnapshots(log.dir());
                return Log.open(log.dir(), CONFIG, 0, clock, scheduler);
            }
        }
        return log;
    }

    /** Appends batches of {@code records[i]} records each, one after the other, in one append. */
    private void produce(Log log, long producerId, List<Integer> records) throws LogAppendException {
        short epoch = epochs.getOrDefault(producerId, (short) 0);
        List<Produced> own = batchesOf(producerId);
        boolean continues = !own.isEmpty() && own.get(own.size() - 1).epoch() == epoch;
        int firstSeq = continues ? own.get(own.size() - 1).metadata().lastSeq() + 1 : 0;
        List<ByteBuffer> batches = new ArrayList<>();
        int seq = firstSeq;
        for (int count : records) {
            batches.add(producerBatch(producerId, epoch, seq, count, clock.millis()));
            seq += count;
        }
        LogAppendInfo info = log.appendAsLeader(TestBatches.concat(batches), LEADER_EPOCH);
        assertEquals(false, info.duplicate());
        seq = firstSeq;
        long offset = info.firstOffset();
        for (int count : records) {
            model.add(new Produced(
                    producerId,
                    epoch,
                    seq,
                    new BatchMetadata(seq + count - 1, offset + count - 1, count - 1, clock.millis())));
            seq += count;
            offset += count;
        }
    }

    private void retry(Log log, long producerId, int pick) throws LogAppendException {
        List<Produced> kept =
                expectedRuns(producerId).stream().flatMap(List::stream).toList();
        if (kept.isEmpty()) {
            return;
        }
        Produced original = kept.get(pick % kept.size());
        int records = original.metadata().offsetDelta() + 1;
        long end = log.logEndOffset();
        LogAppendInfo info = log.appendAsLeader(
                producerBatch(producerId, original.epoch(), original.firstSeq(), records, clock.millis()),
                LEADER_EPOCH);
        assertTrue(info.duplicate(), "a retry of " + original);
        assertEquals(original.metadata().firstOffset(), info.firstOffset());
        assertEquals(original.metadata().lastOffset(), info.lastOffset());
        assertEquals(end, log.logEndOffset());
    }

    private List<Produced> batchesOf(long producerId) {
        return model.stream().filter(p -> p.producerId() == producerId).toList();
    }

    /**
     * A producer's runs the state keeps: its batches of its latest epoch, those that follow each other
     * in offsets and sequences grouped (sequences here never wrap), the last five groups.
     */
    private List<List<Produced>> expectedRuns(long producerId) {
        List<Produced> own = batchesOf(producerId);
        if (own.isEmpty()) {
            return List.of();
        }
        short epoch = own.get(own.size() - 1).epoch();
        List<List<Produced>> runs = new ArrayList<>();
        Produced previous = null;
        for (Produced batch : own) {
            if (batch.epoch() != epoch) {
                continue;
            }
            boolean continues = previous != null
                    && batch.metadata().firstOffset() == previous.metadata().lastOffset() + 1
                    && batch.firstSeq() == previous.metadata().lastSeq() + 1;
            if (!continues) {
                runs.add(new ArrayList<>());
            }
            runs.get(runs.size() - 1).add(batch);
            previous = batch;
        }
        return runs.subList(Math.max(0, runs.size() - ProducerStateEntry.RUNS_KEPT), runs.size());
    }

    private Map<Long, ProducerStateEntry> expected() {
        Map<Long, ProducerStateEntry> expected = new HashMap<>();
        for (long producerId = 0; producerId < PRODUCERS; producerId++) {
            List<List<Produced>> kept = expectedRuns(producerId);
            if (!kept.isEmpty()) {
                List<BatchMetadata> runs =
                        kept.stream().map(ProducerStatePropertyTest::runOf).toList();
                expected.put(
                        producerId,
                        new ProducerStateEntry(
                                producerId,
                                kept.get(0).get(0).epoch(),
                                runs,
                                runs.get(runs.size() - 1).timestamp()));
            }
        }
        return expected;
    }

    private static BatchMetadata runOf(List<Produced> batches) {
        BatchMetadata first = batches.get(0).metadata();
        BatchMetadata last = batches.get(batches.size() - 1).metadata();
        return new BatchMetadata(
                last.lastSeq(), last.lastOffset(), (int) (last.lastOffset() - first.firstOffset()), last.timestamp());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }
}
