package io.ferry.storage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirectoryLockTest {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void createsTheLockFileAndCanBeReacquiredAfterClose() throws IOException {
        LogDirectoryLock lock = LogDirectoryLock.acquire(dir);
        assertTrue(Files.exists(dir.resolve(".lock")));
        assertEquals(dir, lock.directory());
        lock.close();
        lock.close(); // idempotent
        assertTrue(Files.exists(dir.resolve(".lock")), "the lock file is kept");
        LogDirectoryLock.acquire(dir).close();
    }

    @Test
    void secondAcquireInTheSameJvmFailsAndDoesNotReleaseTheFirst() throws Exception {
        try (LogDirectoryLock first = LogDirectoryLock.acquire(dir)) {
            LogDirectoryInUseException e =
                    assertThrows(LogDirectoryInUseException.class, () -> LogDirectoryLock.acquire(dir));
            assertEquals(
                    "log directory " + dir + " is locked by another Ferry process (lock file " + dir.resolve(".lock")
                            + ")",
                    e.getMessage());
            assertEquals(dir, e.directory());
            // POSIX drops a process's lock when any of its descriptors of the file closes: the failed
            // attempt must not have done that, so another process still finds the directory locked.
            assertOtherProcessIsRefused();
        }
        assertEquals("ACQUIRED", runTry().line);
    }

    @Test
    void aSymlinkToALockedDirectoryIsLockedToo() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        try (LogDirectoryLock lock = LogDirectoryLock.acquire(real)) {
            assertThrows(LogDirectoryInUseException.class, () -> LogDirectoryLock.acquire(link));
        }
    }

    @Test
    void independentDirectoriesLockIndependently() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        try (LogDirectoryLock lockA = LogDirectoryLock.acquire(a);
                LogDirectoryLock lockB = LogDirectoryLock.acquire(b)) {
            assertEquals(b, lockB.directory());
        }
    }

    @Test
    void aLockHeldInThisJvmOutsideThisClassIsRespectedAndKept() throws Exception {
        Files.createFile(dir.resolve(".lock"));
        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.WRITE);
                FileLock foreign = channel.lock()) {
            assertThrows(LogDirectoryInUseException.class, () -> LogDirectoryLock.acquire(dir));
            assertTrue(foreign.isValid());
            assertOtherProcessIsRefused();
        }
    }

    @Test
    void aDirectoryLockedByAnotherProcessIsRefusedUntilThatProcessDies() throws Exception {
        Process holder = start("hold");
        BufferedReader out = reader(holder);
        assertEquals("LOCKED", readLine(out));

        LogDirectoryInUseException e =
                assertThrows(LogDirectoryInUseException.class, () -> LogDirectoryLock.acquire(dir));
        assertTrue(e.getMessage().contains("is locked by another Ferry process"), e.getMessage());

        holder.destroyForcibly();
        assertTrue(holder.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        try (LogDirectoryLock lock = await().atMost(PROCESS_TIMEOUT)
                .ignoreException(LogDirectoryInUseException.class)
                .until(() -> LogDirectoryLock.acquire(dir), l -> true)) {
            assertEquals(dir, lock.directory());
        }
    }

    @Test
    void anotherProcessIsRefusedWhileThisOneHoldsTheLock() throws Exception {
        try (LogDirectoryLock lock = LogDirectoryLock.acquire(dir)) {
            assertOtherProcessIsRefused();
        }
    }

    private void assertOtherProcessIsRefused() throws Exception {
        Result result = runTry();
        assertEquals(3, result.exitCode, result.line);
        assertEquals(
                "IN_USE log directory " + dir + " is locked by another Ferry process (lock file " + dir.resolve(".lock")
                        + ")",
                result.line);
    }

    private record Result(int exitCode, String line) {}

    private Result runTry() throws Exception {
        Process process = start("try");
        String line = readLine(reader(process));
        assertTrue(process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "child did not exit");
        return new Result(process.exitValue(), line);
    }

    private Process start(String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockHolderMain.class.getName(),
                        mode,
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        children.add(process);
        return process;
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String readLine(BufferedReader reader) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        return reader.readLine();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
