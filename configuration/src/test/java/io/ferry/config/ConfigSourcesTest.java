package io.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {

    @TempDir
    Path dir;

    private Path write(String... lines) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void propertiesFileSkipsCommentsJoinsContinuationsAndRecordsLines() throws Exception {
        Path file = write("# comment", "  ! also a comment", "", "a.b = 1", "c.d: x\\", "  y", "e.f=C:\\data\\logs");
        List<RawSetting> settings = ConfigSources.propertiesFile(file);
        assertEquals(
                List.of(
                        new RawSetting("a.b", " 1", ConfigOrigin.fileLine(file, 4)),
                        new RawSetting("c.d", " xy", ConfigOrigin.fileLine(file, 5)),
                        new RawSetting("e.f", "C:\\data\\logs", ConfigOrigin.fileLine(file, 7))),
                settings);
    }

    @Test
    void propertiesFileRejectsLinesWithoutSeparatorAndDuplicateKeys() throws Exception {
        Path file = write("a.b=1", "just.a.key", "a.b=2");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSources.propertiesFile(file));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals(
                new ConfigProblem("just.a.key", ConfigOrigin.fileLine(file, 2), "expected key=value"),
                e.problems().get(0));
        assertTrue(e.problems().get(1).toString().contains(file + ":3"), e.getMessage());
        assertTrue(e.problems().get(1).message().contains("also on line 1"), e.getMessage());
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("nope.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSources.propertiesFile(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    }

    @Test
    void environmentMapsFerryVariablesAndIgnoresTheAllowList() throws Exception {
        List<RawSetting> settings = ConfigSources.environment(Map.of(
                "FERRY_NODE_ID",
                "3",
                "FERRY_LOG_RETENTION_MS",
                "10",
                "FERRY_HOME",
                "/opt/ferry",
                "FERRY_OPTS",
                "-Xmx1g",
                "PATH",
                "/bin",
                "NODE_ID",
                "9"));
        assertEquals(
                List.of(
                        new RawSetting("log.retention.ms", "10", ConfigOrigin.environment("FERRY_LOG_RETENTION_MS")),
                        new RawSetting("node.id", "3", ConfigOrigin.environment("FERRY_NODE_ID"))),
                settings);
    }

    @Test
    void environmentRejectsNamesThatAreNotUpperCaseWords() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigSources.environment(Map.of("FERRY_node_id", "1", "FERRY_NODE__ID", "2")));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("environment variable FERRY_node_id"), e.getMessage());
        assertTrue(e.getMessage().contains("environment variable FERRY_NODE__ID"), e.getMessage());
    }

    @Test
    void overridesKeepOrderAndRejectFlagsWithoutEquals() throws Exception {
        assertEquals(
                List.of(new RawSetting("a.b", "1=2", ConfigOrigin.flag("a.b=1=2"))),
                ConfigSources.overrides(List.of("a.b=1=2")));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSources.overrides(List.of("a.b", "=3")));
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().contains("flag --override a.b"), e.getMessage());
        assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
    }
}
