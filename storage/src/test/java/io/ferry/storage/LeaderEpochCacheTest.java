package io.ferry.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {

    @TempDir
    Path dir;

    private Path checkpoint() {
        return dir.resolve("leader-epoch-checkpoint");
    }

    /** A cache with these entries, written and forced. */
    private LeaderEpochCache cacheWith(int... epochAndStart) throws IOException {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        for (int i = 0; i < epochAndStart.length; i += 2) {
            cache.assign(epochAndStart[i], epochAndStart[i + 1]);
        }
        cache.sync();
        return cache;
    }

    private static List<EpochEntry> entries(int... epochAndStart) {
        List<EpochEntry> entries = new ArrayList<>();
        for (int i = 0; i < epochAndStart.length; i += 2) {
            entries.add(new EpochEntry(epochAndStart[i], epochAndStart[i + 1]));
        }
        return entries;
    }

    @Test
    void aNewPartitionHasNoEpochs() throws IOException {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        assertEquals(List.of(), cache.entries());
        assertEquals(OptionalInt.empty(), cache.latestEpoch());
        assertFalse(Files.exists(checkpoint()));
    }

    @Test
    void assignedEpochsArePersistedInKafkasLayout() throws IOException {
        LeaderEpochCache cache = cacheWith(0, 0, 2, 100, 5, 250);
        assertEquals(entries(0, 0, 2, 100, 5, 250), cache.entries());
        assertEquals(OptionalInt.of(5), cache.latestEpoch());
        assertEquals("0\n3\n0 0\n2 100\n5 250\n", Files.readString(checkpoint()));
        assertEquals(cache.entries(), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void aNewEpochIsWrittenAndForcedOnlyBySync() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10);
        cache.assign(2, 40);
        assertEquals(entries(1, 10, 2, 40), cache.entries(), "answered from memory at once");
        assertEquals("0\n1\n1 10\n", Files.readString(checkpoint()), "no file written by the appending thread");
        assertTrue(cache.hasUnsyncedChange());
        cache.sync();
        assertEquals("0\n2\n1 10\n2 40\n", Files.readString(checkpoint()));
        assertFalse(cache.hasUnsyncedChange());
        cache.assign(2, 50);
        assertFalse(cache.hasUnsyncedChange(), "a no-op writes nothing to force");
    }

    @Test
    void aRemovalIsWrittenAtOnceWithTheNewEpochsBeforeItAndForcedBySync() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10);
        cache.assign(2, 40);
        cache.assign(3, 60);
        cache.truncateFromEnd(50);
        assertEquals(
                "0\n2\n1 10\n2 40\n", Files.readString(checkpoint()), "a killed process leaves it in the page cache");
        assertTrue(cache.hasUnsyncedChange());
        cache.assign(1, 5);
        assertEquals("0\n1\n1 5\n", Files.readString(checkpoint()), "an assignment that removes entries too");
        cache.sync();
        assertFalse(cache.hasUnsyncedChange());
    }

    @Test
    void aLeadersEpochIsNotWrittenEvenWhenItRemovesEntries() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10, 3, 40);
        cache.assignDeferred(2, 50);
        assertEquals(entries(1, 10, 2, 50), cache.entries(), "a follower asking gets the new epoch at once");
        assertEquals("0\n2\n1 10\n3 40\n", Files.readString(checkpoint()), "nothing written yet");
        cache.sync();
        assertEquals("0\n2\n1 10\n2 50\n", Files.readString(checkpoint()));
        assertFalse(cache.hasUnsyncedChange());
    }

    @Test
    void aSyncOfADeletedCheckpointHasNothingToForce() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10);
        Files.delete(checkpoint());
        cache.sync();
        assertFalse(cache.hasUnsyncedChange());
    }

    @Test
    void anEmptyCheckpointLoadsAsALostOne() throws IOException {
        // What a power loss can leave of a change renamed into place before its sync.
        Files.writeString(checkpoint(), "");
        assertEquals(List.of(), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void reassigningTheLatestEpochAtALaterOffsetIsANoOpThatDoesNotWrite() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10);
        Files.delete(checkpoint());
        cache.assign(1, 10);
        cache.assign(1, 50);
        assertEquals(entries(1, 10), cache.entries());
        assertFalse(Files.exists(checkpoint()), "a no-op must not rewrite the checkpoint");
    }

    @Test
    void theLatestEpochAtAnEarlierOffsetMovesItsStart() throws IOException {
        LeaderEpochCache cache = cacheWith(0, 0, 1, 10);
        cache.assign(1, 5);
        assertEquals(entries(0, 0, 1, 5), cache.entries());
        assertEquals(entries(0, 0, 1, 5), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void aLowerEpochWinsAndRemovesTheEntriesItContradicts() throws IOException {
        // As in Kafka's LeaderEpochFileCache: entries with epoch >= new epoch or start >= new start go.
        LeaderEpochCache cache = cacheWith(0, 0, 3, 100, 4, 200);
        cache.assign(2, 150);
        assertEquals(entries(0, 0, 2, 150), cache.entries());
        assertEquals(entries(0, 0, 2, 150), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void aHigherEpochAtALowerOffsetRemovesLaterStarts() throws IOException {
        LeaderEpochCache cache = cacheWith(0, 0, 1, 100, 2, 200);
        cache.assign(3, 150);
        assertEquals(entries(0, 0, 1, 100, 3, 150), cache.entries());
        cache.assign(4, 0);
        assertEquals(entries(4, 0), cache.entries());
    }

    @Test
    void negativeEpochsAndOffsetsAreRefused() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10);
        assertThrows(IllegalArgumentException.class, () -> cache.assign(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> cache.assign(2, -1));
        assertThrows(IllegalArgumentException.class, () -> cache.truncateFromEnd(-1));
        assertThrows(IllegalArgumentException.class, () -> cache.truncateFromStart(-1));
        assertEquals(entries(1, 10), cache.entries());
    }

    @Test
    void endOffsetForFollowsKip279() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10, 3, 20, 6, 40);
        long logEnd = 55;
        assertEquals(new EpochEndOffset(6, logEnd), cache.endOffsetFor(6, logEnd), "latest epoch ends at the log end");
        assertEquals(
                new EpochEndOffset(3, 40), cache.endOffsetFor(3, logEnd), "known epoch ends where the next starts");
        assertEquals(new EpochEndOffset(3, 40), cache.endOffsetFor(4, logEnd), "unknown epoch: the largest below it");
        assertEquals(new EpochEndOffset(3, 40), cache.endOffsetFor(5, logEnd));
        assertEquals(new EpochEndOffset(1, 20), cache.endOffsetFor(1, logEnd));
        assertEquals(new EpochEndOffset(1, 20), cache.endOffsetFor(2, logEnd));
        assertEquals(new EpochEndOffset(0, 10), cache.endOffsetFor(0, logEnd), "below the first: the first start");
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(7, logEnd), "above the latest");
        assertEquals(EpochEndOffset.UNDEFINED, cache.endOffsetFor(-1, logEnd));
        assertEquals(
                EpochEndOffset.UNDEFINED,
                LeaderEpochCache.load(Files.createDirectory(dir.resolve("empty")))
                        .endOffsetFor(0, 0));
        assertTrue(EpochEndOffset.UNDEFINED.isUndefined());
        assertEquals(new EpochEndOffset(-1, -1), EpochEndOffset.UNDEFINED);
    }

    @Test
    void truncateFromEndRemovesEpochsStartingAtOrAfterTheNewEnd() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10, 3, 20, 6, 40);
        cache.truncateFromEnd(41);
        assertEquals(entries(1, 10, 3, 20, 6, 40), cache.entries());
        cache.truncateFromEnd(40);
        assertEquals(entries(1, 10, 3, 20), cache.entries());
        assertEquals(entries(1, 10, 3, 20), LeaderEpochCache.load(dir).entries());
        cache.truncateFromEnd(0);
        assertEquals(List.of(), cache.entries());
        assertEquals(List.of(), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void truncateFromStartDropsOlderEpochsAndClampsTheCoveringOne() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10, 3, 20, 6, 40);
        cache.truncateFromStart(5);
        assertEquals(entries(1, 10, 3, 20, 6, 40), cache.entries(), "nothing before the first entry");
        cache.truncateFromStart(10);
        assertEquals(entries(1, 10, 3, 20, 6, 40), cache.entries());
        cache.truncateFromStart(15);
        assertEquals(entries(1, 15, 3, 20, 6, 40), cache.entries());
        cache.truncateFromStart(20);
        assertEquals(entries(3, 20, 6, 40), cache.entries(), "an entry starting exactly there survives");
        cache.truncateFromStart(100);
        assertEquals(entries(6, 100), cache.entries());
        assertEquals(entries(6, 100), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void loadRefusesCheckpointsThatBreakTheOrdering() throws IOException {
        assertCorruptOnLoad(
                "0\n2\n3 10\n3 20\n",
                4,
                "entry 3 20 does not follow 3 10: epochs and start offsets must both increase");
        assertCorruptOnLoad(
                "0\n2\n3 10\n2 20\n",
                4,
                "entry 2 20 does not follow 3 10: epochs and start offsets must both increase");
        assertCorruptOnLoad(
                "0\n2\n3 10\n4 10\n",
                4,
                "entry 4 10 does not follow 3 10: epochs and start offsets must both increase");
        assertCorruptOnLoad("0\n1\n3\n", 3, "malformed entry '3': expected '<epoch> <startOffset>'");
        assertCorruptOnLoad(
                "0\n1\n-1 5\n", 3, "malformed entry '-1 5': epoch '-1' is not a decimal number from 0 to 2147483647");
        assertCorruptOnLoad("0\n2\n3 10\n", 4, "file ends where entry 2 of 2 was expected (truncated)");
    }

    @Test
    void aFailedWriteLeavesTheCacheUnchanged() throws IOException {
        LeaderEpochCache cache = cacheWith(1, 10, 3, 30);
        // A directory where the temp file must go makes the write fail.
        Files.createDirectory(dir.resolve("leader-epoch-checkpoint.tmp"));
        assertThrows(IOException.class, () -> cache.assign(2, 20));
        assertEquals(entries(1, 10, 3, 30), cache.entries());
        assertThrows(IOException.class, () -> cache.truncateFromEnd(0));
        assertEquals(entries(1, 10, 3, 30), cache.entries());
        cache.assign(4, 40);
        assertThrows(IOException.class, cache::sync);
        assertEquals(entries(1, 10, 3, 30, 4, 40), cache.entries());
        assertTrue(cache.hasUnsyncedChange(), "the next sync tries again");
        Files.delete(dir.resolve("leader-epoch-checkpoint.tmp"));
        cache.sync();
        assertEquals(cache.entries(), LeaderEpochCache.load(dir).entries());
    }

    /** Any sequence of operations keeps the invariant, and after a sync the file matches memory. */
    @Property(tries = 100)
    void operationsKeepEntriesStrictlyIncreasingAndPersisted(@ForAll("operations") List<long[]> operations)
            throws IOException {
        Path partitionDir = Files.createTempDirectory("epochs");
        try {
            LeaderEpochCache cache = LeaderEpochCache.load(partitionDir);
            for (long[] op : operations) {
                switch ((int) op[0]) {
                    case 0 -> cache.assign((int) op[1], op[2]);
                    case 1 -> cache.truncateFromEnd(op[2]);
                    case 2 -> cache.truncateFromStart(op[2]);
                    default -> cache.sync();
                }
                List<EpochEntry> entries = cache.entries();
                for (int i = 1; i < entries.size(); i++) {
                    assertTrue(entries.get(i).epoch() > entries.get(i - 1).epoch(), entries::toString);
                    assertTrue(entries.get(i).startOffset() > entries.get(i - 1).startOffset(), entries::toString);
                }
                if (op[0] == 0) {
                    EpochEntry last = entries.get(entries.size() - 1);
                    assertEquals(op[1], last.epoch());
                    assertTrue(last.startOffset() <= op[2]);
                }
                if (op[0] == 3) {
                    assertEquals(entries, LeaderEpochCache.load(partitionDir).entries());
                }
            }
            cache.sync();
            assertEquals(cache.entries(), LeaderEpochCache.load(partitionDir).entries());
        } finally {
            try (Stream<Path> files = Files.walk(partitionDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** endOffsetFor(e) is the start of the first epoch above e, and names the largest epoch ≤ e. */
    @Property(tries = 200)
    void endOffsetForMatchesALinearScan(@ForAll("operations") List<long[]> assigns, @ForAll("epochs") int requested)
            throws IOException {
        Path partitionDir = Files.createTempDirectory("epochs");
        try {
            LeaderEpochCache cache = LeaderEpochCache.load(partitionDir);
            for (long[] op : assigns) {
                cache.assign((int) op[1], op[2]);
            }
            List<EpochEntry> entries = cache.entries();
            EpochEndOffset result = cache.endOffsetFor(requested, 1_000_000);
            if (requested < 0
                    || entries.isEmpty()
                    || requested > entries.get(entries.size() - 1).epoch()) {
                assertEquals(EpochEndOffset.UNDEFINED, result);
            } else if (requested == entries.get(entries.size() - 1).epoch()) {
                assertEquals(new EpochEndOffset(requested, 1_000_000), result);
            } else {
                EpochEntry next = entries.stream()
                        .filter(e -> e.epoch() > requested)
                        .findFirst()
                        .orElseThrow();
                int floor = entries.stream()
                        .filter(e -> e.epoch() <= requested)
                        .mapToInt(EpochEntry::epoch)
                        .max()
                        .orElse(requested);
                assertEquals(new EpochEndOffset(floor, next.startOffset()), result);
            }
        } finally {
            Files.deleteIfExists(partitionDir.resolve(LeaderEpochCache.CHECKPOINT_FILE_NAME));
            Files.delete(partitionDir);
        }
    }

    @Provide
    Arbitrary<List<long[]>> operations() {
        Arbitrary<long[]> op = Arbitraries.integers()
                .between(0, 3)
                .flatMap(kind -> Arbitraries.integers()
                        .between(0, 12)
                        .flatMap(epoch ->
                                Arbitraries.longs().between(0, 300).map(offset -> new long[] {kind, epoch, offset})));
        return op.list().ofMaxSize(25);
    }

    @Provide
    Arbitrary<Integer> epochs() {
        return Arbitraries.integers().between(-1, 14);
    }

    private void assertCorruptOnLoad(String content, int line, String problem) throws IOException {
        Files.writeString(checkpoint(), content);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> LeaderEpochCache.load(dir));
        assertEquals(
                "checkpoint file " + checkpoint() + " is corrupt at line " + line + ": " + problem, e.getMessage());
    }
}
