package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.CorruptCheckpointException;
import io.ferry.storage.internal.CheckpointFile.MalformedEntryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {

    /** Entries are non-negative longs, one per line. */
    private static final CheckpointFile.EntryFormat<Long> LONGS = new CheckpointFile.EntryFormat<>() {
        @Override
        public String format(Long entry) {
            return entry.toString();
        }

        @Override
        public Long parse(String line) throws MalformedEntryException {
            return CheckpointFile.parseField(line, "value", Long.MAX_VALUE);
        }
    };

    @TempDir
    Path dir;

    private CheckpointFile<Long> checkpoint() {
        return new CheckpointFile<>(dir.resolve("cp"), 0, LONGS);
    }

    @Test
    void writesKafkasLayoutAndReadsItBack() throws IOException {
        checkpoint().write(List.of(5L, 0L, 42L));
        assertEquals("0\n3\n5\n0\n42\n", Files.readString(dir.resolve("cp")));
        assertEquals(List.of(5L, 0L, 42L), checkpoint().read());
    }

    @Test
    void anEmptyListIsAHeaderOnly() throws IOException {
        checkpoint().write(List.of());
        assertEquals("0\n0\n", Files.readString(dir.resolve("cp")));
        assertEquals(List.of(), checkpoint().read());
    }

    @Test
    void aMissingFileReadsAsEmpty() throws IOException {
        assertEquals(List.of(), checkpoint().read());
    }

    @Test
    void writeReplacesTheWholeFileAndLeavesNoTempFile() throws IOException {
        checkpoint().write(List.of(1L, 2L, 3L, 4L));
        checkpoint().write(List.of(9L));
        assertEquals("0\n1\n9\n", Files.readString(dir.resolve("cp")));
        assertFalse(Files.exists(dir.resolve("cp.tmp")));
    }

    @Test
    void aTempFileLeftByACrashIsIgnoredByReadAndOverwrittenByWrite() throws IOException {
        checkpoint().write(List.of(7L));
        Files.writeString(dir.resolve("cp.tmp"), "0\n2\n1"); // a write interrupted before its rename
        assertEquals(List.of(7L), checkpoint().read());
        checkpoint().write(List.of(8L));
        assertEquals(List.of(8L), checkpoint().read());
        assertFalse(Files.exists(dir.resolve("cp.tmp")));
    }

    @Test
    void anEntryThatIsNotOneLineIsRefusedBeforeTheFileIsTouched() throws IOException {
        checkpoint().write(List.of(7L));
        CheckpointFile<String> strings = new CheckpointFile<>(dir.resolve("cp"), 0, new CheckpointFile.EntryFormat<>() {
            @Override
            public String format(String entry) {
                return entry;
            }

            @Override
            public String parse(String line) {
                return line;
            }
        });
        assertThrows(IllegalArgumentException.class, () -> strings.write(List.of("a\nb")));
        assertThrows(IllegalArgumentException.class, () -> strings.write(List.of("x".repeat(1025))));
        assertEquals(List.of(7L), checkpoint().read());
    }

    @Test
    void corruptFilesNameTheFileAndTheLine() throws IOException {
        assertCorrupt("", 1, "file ends where the version was expected (truncated)");
        assertCorrupt("1\n0\n", 1, "expected version 0 but found '1'");
        assertCorrupt("0", 1, "file ends inside the version (truncated line)");
        assertCorrupt("0\n", 2, "file ends where the entry count was expected (truncated)");
        assertCorrupt("0\n-1\n", 2, "expected a non-negative entry count but found '-1'");
        assertCorrupt("0\n+1\n5\n", 2, "expected a non-negative entry count but found '+1'");
        assertCorrupt("0\nx\n", 2, "expected a non-negative entry count but found 'x'");
        assertCorrupt("0\n99999999999\n", 2, "expected a non-negative entry count but found '99999999999'");
        assertCorrupt("0\n3\n1\n2\n", 5, "file ends where entry 3 of 3 was expected (truncated)");
        assertCorrupt("0\n2\n1\n23", 4, "file ends inside entry 2 of 2 (truncated line)");
        assertCorrupt("0\n1\n1\n2\n", 4, "more than the 1 entries the header announces");
        assertCorrupt("0\n1\n1\n\n", 4, "more than the 1 entries the header announces");
        assertCorrupt(
                "0\n2\n1\nabc\n",
                4,
                "malformed entry 'abc': value 'abc' is not a decimal number from 0 to " + Long.MAX_VALUE);
        assertCorrupt(
                "0\n1\n1\r\n",
                3,
                "malformed entry '1\r': value '1\r' is not a decimal number from 0 to " + Long.MAX_VALUE);
        assertCorrupt("0\n1\n" + "1".repeat(2000) + "\n", 3, "line longer than 1024 bytes");
    }

    @Test
    void invalidUtf8IsReportedOnItsLine() throws IOException {
        byte[] bytes = {'0', '\n', '2', '\n', '1', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
        Files.write(dir.resolve("cp"), bytes);
        CorruptCheckpointException e = assertThrows(
                CorruptCheckpointException.class, () -> checkpoint().read());
        assertEquals(4, e.line());
        assertTrue(e.getMessage().endsWith("not valid UTF-8"), e.getMessage());
    }

    @Test
    void parseFieldAcceptsOnlyCanonicalDecimalsInRange() throws MalformedEntryException {
        assertEquals(0, CheckpointFile.parseField("0", "f", 10));
        assertEquals(10, CheckpointFile.parseField("10", "f", 10));
        assertEquals(Long.MAX_VALUE, CheckpointFile.parseField(Long.toString(Long.MAX_VALUE), "f", Long.MAX_VALUE));
        for (String bad : List.of(
                "",
                "11",
                "-1",
                "+1",
                "01",
                " 1",
                "1 ",
                "0x1",
                "9223372036854775808",
                "99999999999999999999",
                "\u0661")) {
            MalformedEntryException e =
                    assertThrows(MalformedEntryException.class, () -> CheckpointFile.parseField(bad, "f", 10), bad);
            assertEquals("f '" + bad + "' is not a decimal number from 0 to 10", e.getMessage());
        }
    }

    @Property(tries = 100)
    void anyListRoundTrips(@ForAll @Size(max = 50) List<@LongRange(min = 0) Long> values) throws IOException {
        Path file = Files.createTempFile("checkpoint", "");
        try {
            CheckpointFile<Long> checkpoint = new CheckpointFile<>(file, 3, LONGS);
            checkpoint.write(values);
            assertEquals(values, checkpoint.read());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Cutting a valid file anywhere short of its end is always detected. */
    @Property(tries = 100)
    void everyTruncationIsDetected(@ForAll @Size(max = 20) List<@LongRange(min = 0) Long> values) throws IOException {
        Path file = Files.createTempFile("checkpoint", "");
        try {
            CheckpointFile<Long> checkpoint = new CheckpointFile<>(file, 0, LONGS);
            checkpoint.write(values);
            byte[] full = Files.readAllBytes(file);
            for (int length = 0; length < full.length; length++) {
                Files.write(file, java.util.Arrays.copyOf(full, length));
                assertThrows(CorruptCheckpointException.class, checkpoint::read, "truncated to " + length);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void assertCorrupt(String content, int line, String problem) throws IOException {
        Files.write(dir.resolve("cp"), content.getBytes(StandardCharsets.UTF_8));
        CorruptCheckpointException e = assertThrows(
                CorruptCheckpointException.class, () -> checkpoint().read(), content);
        assertEquals(
                "checkpoint file " + dir.resolve("cp") + " is corrupt at line " + line + ": " + problem,
                e.getMessage());
        assertEquals(line, e.line());
        assertEquals(dir.resolve("cp"), e.file());
    }
}
