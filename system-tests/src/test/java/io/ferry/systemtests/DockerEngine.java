package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine a test uses: the one running on the machine, or Debian's {@code docker.io}
 * installed with apt-get (when {@code dockerd} is missing) and started here, then stopped by
 * {@link #stop}. Installing and starting an engine needs root.
 */
final class DockerEngine {

    private static final Duration APT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /** The engine this class started; null when one was running already (it is left alone). */
    private final Process dockerd;

    private final Path log;

    private DockerEngine(Process dockerd, Path log) {
        this.dockerd = dockerd;
        this.log = log;
    }

    /** The running engine, or one installed if needed and started now, logging to {@code dir/dockerd.log}. */
    static DockerEngine start(Path dir) throws IOException, InterruptedException {
        if (answers()) {
            return new DockerEngine(null, null);
        }
        if (!Repo.onPath("dockerd")) {
            aptInstall("docker.io");
        }
        Repo.requireTool("docker", "Debian: apt-get install docker.io");
        Path log = dir.resolve("dockerd.log");
        Process dockerd = new ProcessBuilder(Repo.requireTool("dockerd", "Debian: apt-get install docker.io"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DockerEngine engine = new DockerEngine(dockerd, log);
        try {
            await("dockerd (pid " + dockerd.pid() + ") answers `docker info`")
                    .atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> !dockerd.isAlive() || answers());
            if (!dockerd.isAlive()) {
                fail("dockerd exited with status " + dockerd.exitValue() + "; " + engine.logTail());
            }
            return engine;
        } catch (RuntimeException | AssertionError e) {
            engine.stop();
            throw e;
        }
    }

    /** Whether a Docker engine answers the {@code docker} client. */
    static boolean answers() throws IOException, InterruptedException {
        return Repo.onPath("docker")
                && Shell.run(Duration.ofSeconds(30), "docker", "info").exitCode() == 0;
    }

    /** apt-get install of Debian packages; fails saying why (this needs root and a Debian/Ubuntu machine). */
    static void aptInstall(String... packages) throws IOException, InterruptedException {
        Repo.requireTool(
                "apt-get", "a Debian or Ubuntu machine, or install " + String.join(", ", packages) + " yourself");
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        Shell.Result update = Shell.run(APT_TIMEOUT, env, List.of("apt-get", "update", "-qq"));
        assertEquals(0, update.exitCode(), () -> "apt-get update (as root?) " + update);
        List<String> install =
                new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300"));
        install.addAll(List.of(packages));
        Shell.Result result = Shell.run(APT_TIMEOUT, env, install);
        assertEquals(0, result.exitCode(), () -> String.join(" ", install) + " (as root?) " + result);
    }

    /** Stops the engine if this class started it (SIGTERM, then SIGKILL of it and what it started). */
    void stop() throws InterruptedException {
        if (dockerd == null) {
            return;
        }
        List<ProcessHandle> children = dockerd.descendants().toList();
        dockerd.destroy();
        if (!dockerd.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            children.forEach(ProcessHandle::destroyForcibly);
            dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("dockerd did not stop within " + STOP_TIMEOUT + " of SIGTERM and was killed; " + logTail());
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "the end of its log, " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "its log " + log + " is unreadable: " + e;
        }
    }
}
