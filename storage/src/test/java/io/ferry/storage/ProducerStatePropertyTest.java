package io.ferry.storage;

import static io.ferry.storage.TestBatches.batch;
import static io.ferry.storage.TestBatches.producerBatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.internal.BatchMetadata;
import io.ferry.storage.internal.ProducerStateEntry;
import java.io.IOException;
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
 * Random producers' appends, retries, new epochs, rolls, truncations and reopens (clean, crashed, and with
 * the snapshots deleted) against a model: the producers' batches the log holds. After every step the log's
 * producer state is the one the model's batches give, and a retry of any of a producer's last five batches
 * appends nothing and answers its offsets.
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
                Tuple.of(12, Kind.PRODUCE),
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
            case PRODUCE -> produce(log, producerId, 1 + op.b() % 3);
            case NEW_EPOCH -> {
                epochs.merge(producerId, (short) 1, (a, b) -> (short) (a + b));
                produce(log, producerId, 1);
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

    private void produce(Log log, long producerId, int records) throws LogAppendException {
        short epoch = epochs.getOrDefault(producerId, (short) 0);
        List<Produced> own = batchesOf(producerId);
        boolean continues = !own.isEmpty() && own.get(own.size() - 1).epoch() == epoch;
        int firstSeq = continues ? own.get(own.size() - 1).metadata().lastSeq() + 1 : 0;
        LogAppendInfo info =
                log.appendAsLeader(producerBatch(producerId, epoch, firstSeq, records, clock.millis()), LEADER_EPOCH);
        assertEquals(false, info.duplicate());
        model.add(new Produced(
                producerId,
                epoch,
                firstSeq,
                new BatchMetadata(firstSeq + records - 1, info.lastOffset(), records - 1, clock.millis())));
    }

    private void retry(Log log, long producerId, int pick) throws LogAppendException {
        List<Produced> kept = expectedBatches(producerId);
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

    /** A producer's batches the state keeps: the last five of its latest epoch. */
    private List<Produced> expectedBatches(long producerId) {
        List<Produced> own = batchesOf(producerId);
        if (own.isEmpty()) {
            return own;
        }
        short epoch = own.get(own.size() - 1).epoch();
        List<Produced> ofEpoch = own.stream().filter(p -> p.epoch() == epoch).toList();
        return ofEpoch.subList(Math.max(0, ofEpoch.size() - ProducerStateEntry.BATCHES_KEPT), ofEpoch.size());
    }

    private Map<Long, ProducerStateEntry> expected() {
        Map<Long, ProducerStateEntry> expected = new HashMap<>();
        for (long producerId = 0; producerId < PRODUCERS; producerId++) {
            List<Produced> kept = expectedBatches(producerId);
            if (!kept.isEmpty()) {
                List<BatchMetadata> batches =
                        kept.stream().map(Produced::metadata).toList();
                expected.put(
                        producerId,
                        new ProducerStateEntry(
                                producerId,
                                kept.get(0).epoch(),
                                batches,
                                batches.get(batches.size() - 1).timestamp()));
            }
        }
        return expected;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }
}
