package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the checkout under test and the tools the system tests need. */
final class Repo {

    /** The repository root: surefire runs in the module directory, {@code system-tests/}. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** The node jar broker-node's {@code package} phase builds, which the launch scripts run. */
    static final Path NODE_JAR = ROOT.resolve("broker-node/target/ferry-node.jar");

    /** The CLI's shaded jar, which cli's {@code package} phase builds and {@code bin/ferry} runs. */
    static final Path CLI_JAR = ROOT.resolve("cli/target/ferry-cli.jar");

    private Repo() {}

    static Path path(String relative) {
        Path p = ROOT.resolve(relative);
        assertTrue(Files.exists(p), p + " does not exist");
        return p;
    }

    /** Fails (never skips) when the packaged node is missing: these tests are about that artifact. */
    static void requireNodeJar() {
        if (!Files.isRegularFile(NODE_JAR)) {
            fail(NODE_JAR + " is missing: run the system tests through the reactor (`./mvnw verify`), "
                    + "which packages broker-node first");
        }
    }

    /** Fails (never skips) when the packaged CLI is missing. */
    static void requireCliJar() {
        if (!Files.isRegularFile(CLI_JAR)) {
            fail(CLI_JAR + " is missing: run the system tests through the reactor (`./mvnw verify`), "
                    + "which packages cli first");
        }
    }

    /** Fails (never skips) when a tool is not on the PATH, saying how to install it. */
    static String requireTool(String name, String install) {
        return onPath(name) ? name : fail(name + " is not on the PATH; these tests need it (" + install + ")");
    }

    static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
