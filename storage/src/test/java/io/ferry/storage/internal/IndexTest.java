package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {

    @TempDir
    Path dir;

    @Test
    void offsetIndexLooksUpTheLastEntryAtOrBeforeAnOffset() throws Exception {
        OffsetIndex index = OffsetIndex.open(dir.resolve("x.index"), 1000, 80);
        assertEquals(new OffsetIndex.Entry(1000, 0), index.lookup(1500), "no entry: the segment start");
        index.append(1010, 400);
        index.append(1020, 800);
        index.append(1035, 1300);
        assertEquals(new OffsetIndex.Entry(1000, 0), index.lookup(1009));
        assertEquals(new OffsetIndex.Entry(1010, 400), index.lookup(1010));
        assertEquals(new OffsetIndex.Entry(1020, 800), index.lookup(1034));
        assertEquals(new OffsetIndex.Entry(1035, 1300), index.lookup(Long.MAX_VALUE));
        assertTrue(index.isSane(1301));
        assertFalse(index.isSane(1300), "an entry at or past the end of the log");
    }

    @Test
    void aFullOffsetIndexSkipsEntriesAndSaysSo() throws Exception {
        OffsetIndex index = OffsetIndex.open(dir.resolve("x.index"), 0, 16);
        assertFalse(index.isFull());
        index.append(1, 10);
        index.append(2, 20);
        assertTrue(index.isFull());
        index.append(3, 30);
        assertEquals(2, index.entries());
    }

    @Test
    void trimmedIndexesReopenWithTheirEntriesAndPreallocatedOnesDoNotLie() throws Exception {
        Path file = dir.resolve("x.index");
        OffsetIndex index = OffsetIndex.open(file, 0, 800);
        index.append(5, 100);
        index.append(9, 200);
        assertEquals(800, Files.size(file), "preallocated");
        index.trim();
        assertEquals(16, Files.size(file));
        OffsetIndex reopened = OffsetIndex.open(file, 0, 0);
        assertEquals(2, reopened.entries());
        assertEquals(new OffsetIndex.Entry(9, 200), reopened.lookup(10));

        // A crash leaves the preallocated zeros: counted as entries, and caught by the sanity check.
        Path crashed = dir.resolve("y.index");
        try (RandomAccessFile raf = new RandomAccessFile(crashed.toFile(), "rw")) {
            raf.setLength(800);
        }
        assertFalse(OffsetIndex.open(crashed, 0, 800).isSane(1000));
    }

    @Test
    void timeIndexFindsTheLastEntryStrictlyBeforeATimestampAndKeepsASlotForSealing() throws Exception {
        TimeIndex index = TimeIndex.open(dir.resolve("x.timeindex"), 100, 36);
        index.maybeAppend(50, 100);
        index.maybeAppend(50, 105);
        index.maybeAppend(70, 110);
        assertEquals(2, index.entries(), "timestamps must increase");
        assertTrue(index.isFull(), "the third slot is kept for the entry written on seal");
        assertEquals(100, index.offsetBefore(50));
        assertEquals(100, index.offsetBefore(51));
        assertEquals(110, index.offsetBefore(71));
        assertEquals(70, index.lastTimestamp());
        assertTrue(index.isSane(111));
        assertFalse(index.isSane(110));
    }
}
