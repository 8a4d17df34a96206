package io.ferry.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetCheckpointFileTest {

    @TempDir
    Path dir;

    @Test
    void writesSortedKafkaStyleLinesAndReadsThemBack() throws IOException {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint"));
        Map<TopicPartition, Long> offsets = Map.of(
                new TopicPartition("b", 0), 7L,
                new TopicPartition("a", 10), 0L,
                new TopicPartition("a", 2), Long.MAX_VALUE);
        file.write(offsets);
        assertEquals("0\n3\na 2 9223372036854775807\na 10 0\nb 0 7\n", Files.readString(file.file()));
        assertEquals(offsets, file.read());
        assertEquals(
                List.of(new TopicPartition("a", 2), new TopicPartition("a", 10), new TopicPartition("b", 0)),
                List.copyOf(file.read().keySet()));
    }

    @Test
    void aMissingFileIsAnEmptyMap() throws IOException {
        assertEquals(Map.of(), new OffsetCheckpointFile(dir.resolve("none")).read());
    }

    @Test
    void anEmptyMapRoundTrips() throws IOException {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("cp"));
        file.write(Map.of(new TopicPartition("t", 0), 1L));
        file.write(Map.of());
        assertEquals(Map.of(), file.read());
    }

    @Test
    void negativeOffsetsAreRefusedAndTheOldContentKept() throws IOException {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("cp"));
        file.write(Map.of(new TopicPartition("t", 0), 1L));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> file.write(Map.of(new TopicPartition("t", 0), -1L)));
        assertEquals("offset -1 for t-0 is negative; checkpointed offsets are at least 0", e.getMessage());
        assertEquals(Map.of(new TopicPartition("t", 0), 1L), file.read());
    }

    @Test
    void corruptEntriesNameTheFileAndLine() throws IOException {
        assertCorrupt("0\n2\nt 0 5\nt 0 6\n", 4, "partition t-0 appears more than once");
        assertCorrupt("0\n1\nt 0\n", 3, "malformed entry 't 0': expected '<topic> <partition> <offset>'");
        assertCorrupt("0\n1\nt 0 5 6\n", 3, "malformed entry 't 0 5 6': expected '<topic> <partition> <offset>'");
        assertCorrupt("0\n1\nt  0 5\n", 3, "malformed entry 't  0 5': expected '<topic> <partition> <offset>'");
        assertCorrupt(
                "0\n1\nt -1 5\n",
                3,
                "malformed entry 't -1 5': partition '-1' is not a decimal number from 0 to 2147483647");
        assertCorrupt(
                "0\n1\nt 2147483648 5\n",
                3,
                "malformed entry 't 2147483648 5': partition '2147483648' is not a decimal number from 0 to 2147483647");
        assertCorrupt(
                "0\n1\nt 0 -5\n",
                3,
                "malformed entry 't 0 -5': offset '-5' is not a decimal number from 0 to 9223372036854775807");
        assertCorrupt(
                "0\n1\n.. 0 5\n",
                3,
                "malformed entry '.. 0 5': topic name '..' is not allowed: '.' and '..' are reserved");
        assertCorrupt(
                "0\n1\na/b 0 5\n",
                3,
                "malformed entry 'a/b 0 5': topic name 'a/b' contains the illegal character '/'"
                        + " (U+002F) at index 1: only ASCII letters, digits, '.', '_' and '-' are allowed");
        assertCorrupt("0\n2\nt 0 5\n", 4, "file ends where entry 2 of 2 was expected (truncated)");
        assertCorrupt("0\n1\nt 0 5", 3, "file ends inside entry 1 of 1 (truncated line)");
    }

    @Property(tries = 100)
    void anyMapRoundTrips(@ForAll("offsets") Map<TopicPartition, Long> offsets) throws IOException {
        Path path = Files.createTempFile("offsets", "");
        try {
            OffsetCheckpointFile file = new OffsetCheckpointFile(path);
            file.write(offsets);
            assertEquals(offsets, file.read());
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Provide
    Arbitrary<Map<TopicPartition, Long>> offsets() {
        Arbitrary<TopicPartition> partitions = Combinators.combine(
                        Arbitraries.strings()
                                .withChars("abAB09._-")
                                .ofMinLength(1)
                                .ofMaxLength(249)
                                .filter(s -> !s.equals(".") && !s.equals("..")),
                        Arbitraries.integers().greaterOrEqual(0))
                .as(TopicPartition::new);
        return Arbitraries.maps(partitions, Arbitraries.longs().greaterOrEqual(0))
                .ofMaxSize(30)
                .map(HashMap::new);
    }

    private void assertCorrupt(String content, int line, String problem) throws IOException {
        Path path = dir.resolve("cp");
        Files.writeString(path, content);
        CorruptCheckpointException e =
                assertThrows(CorruptCheckpointException.class, () -> new OffsetCheckpointFile(path).read());
        assertEquals("checkpoint file " + path + " is corrupt at line " + line + ": " + problem, e.getMessage());
        assertTrue(e.getMessage().contains(path.toString()));
    }
}
