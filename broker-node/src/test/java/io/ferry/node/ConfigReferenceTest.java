package io.ferry.node;

import static org.junit.jupiter.api.Assertions.fail;

import io.ferry.config.ConfigDocs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from {@link NodeConfigKeys}; this fails when it is stale. */
class ConfigReferenceTest {

    /** Surefire runs tests with the module directory as working directory. */
    private static final Path COMMITTED = Path.of("..", "docs", "configuration.md");
    private static final Path GENERATED = Path.of("target", "generated-docs", "configuration.md");

    @Test
    void committedReferenceMatchesTheDefinitions() throws Exception {
        String expected = ConfigDocs.markdown(NodeConfigKeys.DEFINITION);
        Files.createDirectories(GENERATED.getParent());
        Files.writeString(GENERATED, expected, StandardCharsets.UTF_8);
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED, StandardCharsets.UTF_8) : "";
        if (!committed.equals(expected)) {
            fail("docs/configuration.md is out of date with NodeConfigKeys. This test wrote the current "
                    + "reference; regenerate it from the repository root with:\n"
                    + "  ./mvnw -q -B test -pl broker-node -am -Dtest=ConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false; "
                    + "cp broker-node/target/generated-docs/configuration.md docs/configuration.md");
        }
    }
}
