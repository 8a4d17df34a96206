package io.ferry.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPartitionTest {

    private static final Path PARENT = Path.of("/var/lib/ferry/data");

    @Test
    void acceptsEveryLegalCharacterAndTheLengthLimit() {
        String all = "azAZ09._-";
        assertEquals(all, new TopicPartition(all, 0).topic());
        assertEquals(249, new TopicPartition("x".repeat(249), 0).topic().length());
        assertEquals("...", new TopicPartition("...", 1).topic());
        assertEquals(Integer.MAX_VALUE, new TopicPartition("t", Integer.MAX_VALUE).partition());
    }

    @Test
    void dirNameIsTopicDashPartition() {
        assertEquals("orders-7", new TopicPartition("orders", 7).dirName());
        assertEquals("my-topic-0", new TopicPartition("my-topic", 0).dirName());
        assertEquals("orders-7", new TopicPartition("orders", 7).toString());
    }

    @Test
    void refusesEmptyNullTooLongAndDotNames() {
        assertMessage(null, "must not be null");
        assertMessage("", "must not be empty");
        assertMessage("x".repeat(250), "250 characters long: the limit is 249");
        assertMessage(".", "'.' is not allowed");
        assertMessage("..", "'..' is not allowed");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a/b",
                "../etc",
                "a\\b",
                "a\0b",
                "a b",
                "a:b",
                "a*b",
                "a\nb",
                "%2e%2e",
                "\uff0e\uff0e", // fullwidth full stops, look like ".."
                "\u2024\u2024", // one-dot leaders
                "a\u2215b", // division slash
                "\u0430bc", // Cyrillic a
                "caf\u00e9",
                "\ud83d\ude00"
            })
    void refusesIllegalCharacters(String topic) {
        InvalidTopicException e = assertThrows(InvalidTopicException.class, () -> new TopicPartition(topic, 0));
        assertTrue(e.getMessage().contains("only ASCII letters, digits, '.', '_' and '-' are allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("illegal character"), e.getMessage());
    }

    @Test
    void messageNamesTheNameTheCharacterAndItsPositionWithControlCharactersEscaped() {
        InvalidTopicException e = assertThrows(InvalidTopicException.class, () -> new TopicPartition("ab/c", 0));
        assertEquals(
                "topic name 'ab/c' contains the illegal character '/' (U+002F) at index 2: "
                        + "only ASCII letters, digits, '.', '_' and '-' are allowed",
                e.getMessage());
        e = assertThrows(InvalidTopicException.class, () -> new TopicPartition("a\0b", 0));
        assertTrue(
                e.getMessage().startsWith("topic name 'a\\u0000b' contains the illegal character U+0000 at index 1"),
                e.getMessage());
    }

    @Test
    void refusesNegativePartition() {
        InvalidTopicException e = assertThrows(InvalidTopicException.class, () -> new TopicPartition("t", -1));
        assertEquals("partition -1 of topic 't' is invalid: a partition number must be at least 0", e.getMessage());
    }

    @Test
    void fromDirNameSplitsAtTheLastDash() {
        assertEquals(new TopicPartition("t", 0), TopicPartition.fromDirName("t-0"));
        assertEquals(new TopicPartition("my-topic", 12), TopicPartition.fromDirName("my-topic-12"));
        assertEquals(new TopicPartition("t-", 1), TopicPartition.fromDirName("t--1"));
        assertEquals(new TopicPartition("t", Integer.MAX_VALUE), TopicPartition.fromDirName("t-2147483647"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "t",
                "t-",
                "-0",
                ".-0",
                "..-0",
                "t-01",
                "t-+1",
                "t- 1",
                "t-1 ",
                "t-0x1",
                "t-2147483648",
                "t-99999999999",
                "t-\uff11",
                "a/b-0",
                "-",
                ""
            })
    void fromDirNameRefusesNonCanonicalOrInvalidNames(String dirName) {
        assertThrows(InvalidTopicException.class, () -> TopicPartition.fromDirName(dirName));
    }

    @Test
    void fromDirNameMessagesNameTheDirectoryAndTheRule() {
        InvalidTopicException e = assertThrows(InvalidTopicException.class, () -> TopicPartition.fromDirName("orders"));
        assertEquals("'orders' is not a partition directory name: expected <topic>-<partition>", e.getMessage());
        e = assertThrows(InvalidTopicException.class, () -> TopicPartition.fromDirName("orders-01"));
        assertTrue(
                e.getMessage().startsWith("'orders-01' is not a partition directory name: the part after the last '-'"),
                e.getMessage());
        assertThrows(InvalidTopicException.class, () -> TopicPartition.fromDirName(null));
    }

    @Property(tries = 300)
    void everyValidPartitionRoundTripsThroughItsDirName(
            @ForAll("validTopics") String topic, @ForAll @IntRange(min = 0) int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        assertEquals(tp, TopicPartition.fromDirName(tp.dirName()));
    }

    /** Whatever the input, a name that is accepted is one plain child of the parent directory. */
    @Property(tries = 2000)
    void noAcceptedNameEscapesTheParentDirectory(
            @ForAll("hostileNames") String name, @ForAll @IntRange(min = 0) int partition) {
        TopicPartition tp;
        try {
            tp = new TopicPartition(name, partition);
        } catch (InvalidTopicException e) {
            return;
        }
        assertStaysInside(tp.dirName());
    }

    @Property(tries = 2000)
    void noAcceptedDirNameEscapesTheParentDirectory(@ForAll("hostileNames") String dirName) {
        TopicPartition tp;
        try {
            tp = TopicPartition.fromDirName(dirName);
        } catch (InvalidTopicException e) {
            return;
        }
        assertEquals(dirName, tp.dirName());
        assertStaysInside(dirName);
    }

    private static void assertStaysInside(String dirName) {
        Path child = PARENT.resolve(dirName).normalize();
        assertEquals(PARENT, child.getParent(), dirName);
        assertEquals(dirName, child.getFileName().toString());
        assertTrue(dirName.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != '\\'), dirName);
    }

    @Provide
    Arbitrary<String> validTopics() {
        return Arbitraries.strings()
                .withChars("abcXYZ019._-")
                .ofMinLength(1)
                .ofMaxLength(249)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    @Provide
    Arbitrary<String> hostileNames() {
        Arbitrary<String> tricky = Arbitraries.strings()
                .withChars("./\\-_a0\u0000 :\u2024\u2215\uff0e\uff0f\u0430\u00e9\u202e")
                .ofMaxLength(12);
        Arbitrary<String> traversals = Arbitraries.of(
                "..",
                ".",
                "../",
                "..\\",
                "/",
                "../../etc/passwd",
                "..-0",
                ".-0",
                "a/../../b-0",
                "\uff0e\uff0e-0",
                "..\u0000-0");
        return Arbitraries.oneOf(
                tricky,
                traversals,
                Arbitraries.strings().ofMaxLength(260),
                Arbitraries.strings().all().ofMaxLength(20));
    }

    private static void assertMessage(String topic, String expected) {
        InvalidTopicException e = assertThrows(InvalidTopicException.class, () -> new TopicPartition(topic, 0));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
