package io.ferry.config;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the key declarations; this fails when it is stale. Run with
 * {@value #REGENERATE}=true (see the failure message) it rewrites the file instead.
 */
class ConfigReferenceTest {

    /** Surefire runs tests with the module directory as working directory. */
    private static final Path COMMITTED = Path.of("..", "docs", "configuration.md");

    private static final String REGENERATE = "ferry.regenerate.docs";

    @Test
    void committedReferenceMatchesTheDeclarations() throws Exception {
        String expected = ConfigReference.markdown();
        if (Boolean.getBoolean(REGENERATE)) {
            Files.writeString(COMMITTED, expected, StandardCharsets.UTF_8);
            return;
        }
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED, StandardCharsets.UTF_8) : "";
        if (!committed.equals(expected)) {
            fail("docs/configuration.md is out of date with the key declarations of the configuration module. "
                    + "Regenerate it from the repository root with:\n"
                    + "  ./mvnw -q -B -pl configuration test -Dtest=ConfigReferenceTest -D" + REGENERATE + "=true");
        }
    }
}
