package io.ferry.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RecordingGroupMember} in a JVM of its own, started with this JVM's classpath (the test classpath:
 * the client and its dependencies), so that a test can {@code kill -9} a consumer. Its output goes to
 * {@code <name>.log} and its processed records to {@code <name>.records}, both in the folder it is given.
 *
 * <p>{@link #stop} ends its standard input, which the member takes as the signal to close its consumer (leaving
 * the group) and exit; {@link #close} kills it if it still runs. Not thread-safe: the test thread drives it.
 */
final class GroupMemberProcess implements AutoCloseable {

    /** What a member does, the same for each one of a test. */
    record Settings(
            String bootstrap, String group, String topic, int maxPollRecords, Duration pause, Duration lifetime) {}

    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Path records;
    private final Path log;
    private final Process process;

    private GroupMemberProcess(String name, Path records, Path log, Process process) {
        this.name = name;
        this.records = records;
        this.log = log;
        this.process = process;
    }

    /** Starts member {@code name} (also its client.id) writing into {@code dir}. */
    static GroupMemberProcess start(String name, Path dir, Settings settings) throws IOException {
        Path records = dir.resolve(name + ".records");
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                JAVA,
                "-Xms32m",
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
                "-cp",
                System.getProperty("java.class.path"),
                RecordingGroupMember.class.getName()));
        command.addAll(List.of(
                settings.bootstrap(),
                settings.group(),
                settings.topic(),
                records.toString(),
                name,
                String.valueOf(settings.maxPollRecords()),
                String.valueOf(settings.pause().toMillis()),
                String.valueOf(settings.lifetime().toSeconds())));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new GroupMemberProcess(name, records, log, process);
    }

    /** Its {@code client.id}, which the group's description shows. */
    String name() {
        return name;
    }

    /** Its log and its processed records, to keep after the test. */
    List<Path> files() {
        return List.of(log, records);
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** The lines it wrote so far: the records it processed, in order, with repeats when it processed one again. */
    List<ProcessedRecord> processed() throws IOException {
        if (!Files.exists(records)) {
            return List.of();
        }
        String text = Files.readString(records, StandardCharsets.UTF_8);
        // A member killed in the middle of a write leaves its last line incomplete: it was never processed.
        String complete = text.substring(0, text.lastIndexOf('\n') + 1);
        return complete.lines().map(ProcessedRecord::parse).toList();
    }

    /** {@code kill -9} of the member's JVM, waiting until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + " survived SIGKILL for " + EXIT_TIMEOUT);
        }
    }

    /**
     * Ends its standard input and waits for it to leave the group and exit.
     *
     * @throws AssertionError when it does not exit with status 0 in time
     */
    void stop() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + " did not exit within " + EXIT_TIMEOUT + " of the end of its stdin");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(this + " exited with " + process.exitValue());
        }
    }

    /** Kills it if it still runs. Never throws. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "group member " + name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
