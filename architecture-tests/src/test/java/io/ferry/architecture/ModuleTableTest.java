package io.ferry.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link ModuleTable} reads docs/architecture.md's table, and the mistakes in it that it refuses. */
class ModuleTableTest {

    private static ModuleTable parse(String markdown) {
        return ModuleTable.parse(markdown.lines().toList());
    }

    @Test
    void readsEachRowsPackageAndArrowsIgnoringWordsOutsideBackticks() {
        ModuleTable table = parse("""
                # Architecture

                | module | package | owns | may depend on |
                |---|---|---|---|
                | `a` | `io.ferry.a` | the `a` things | — |
                | `b` | `io.ferry.b` | b | `a` and `a.internal`, for its codecs |
                | `c` | `io.ferry.c` | c | tests only: `a` |

                Text after the table.
                """);
        assertEquals(List.of("a", "b", "c"), List.copyOf(table.rows().keySet()));
        assertEquals(
                new ModuleTable.Row("a", "io.ferry.a", Set.of(), Set.of()),
                table.rows().get("a"));
        assertEquals(
                new ModuleTable.Row("b", "io.ferry.b", Set.of("a"), Set.of("a")),
                table.rows().get("b"));
        assertEquals(Set.of("a"), table.rows().get("c").mayDependOn());
        assertEquals("c", table.moduleOf("io.ferry.c.X").orElseThrow().module());
        assertTrue(table.moduleOf("io.ferry.d.X").isEmpty());
    }

    @Test
    void refusesAnArrowToNoModuleAnInternalArrowAloneAndAMissingColumn() {
        String header = "| module | package | owns | may depend on |\n|---|---|---|---|\n";
        assertThrows(IllegalStateException.class, () -> parse(header + "| `a` | `io.ferry.a` | a | `b` |\n"));
        assertThrows(
                IllegalStateException.class,
                () -> parse(header + "| `a` | `io.ferry.a` | a | — |\n| `b` | `io.ferry.b` | b | `a.internal` |\n"));
        assertThrows(IllegalStateException.class, () -> parse("| module | owns |\n|---|---|\n| `a` | a |\n"));
        assertThrows(IllegalStateException.class, () -> parse("no table\n"));
    }
}
