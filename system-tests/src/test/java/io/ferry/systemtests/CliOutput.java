package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** Checks of what a command printed, as a user reads it. */
final class CliOutput {

    private CliOutput() {}

    /** The command succeeded and printed {@code expected}. */
    static void assertOutput(Shell.Result result, String expected) {
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.output().contains(expected), () -> "expected '" + expected + "' in " + result);
    }

    /**
     * The output of {@code ferry consume ... | sort -n | uniq | wc -l} after producing the distinct values
     * 1..{@code records}: the CLI's total and the count of distinct values are both {@code records}, so
     * every value was read exactly once.
     */
    static void assertEachValueOnce(Shell.Result consume, int records) {
        assertOutput(consume, "Processed a total of " + records + " message(s).");
        List<String> lines = consume.output()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
        assertEquals(String.valueOf(records), lines.get(lines.size() - 1), () -> "distinct values: " + consume);
    }
}
