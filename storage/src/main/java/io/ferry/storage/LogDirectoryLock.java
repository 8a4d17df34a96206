package io.ferry.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Exclusive ownership of a log directory, held as an OS file lock on {@code <dir>/.lock} for as long
 * as this object is open. Two brokers pointed at the same {@code log.dirs} would corrupt each other's
 * segments; the second one fails at start-up instead.
 *
 * <p>The lock file is never deleted: deleting it would let a second process lock a fresh inode while
 * the first still holds the old one.
 *
 * <p>Thread-safe. Closing is idempotent.
 */
public final class LogDirectoryLock implements AutoCloseable {

    /** The name of the lock file inside a log directory. */
    public static final String LOCK_FILE_NAME = ".lock";

    /**
     * Lock files (by file key: device and inode) this JVM holds. POSIX record locks belong to the
     * process, and closing <em>any</em> descriptor of a file drops all of the process's locks on it.
     * So a second attempt from this JVM must be refused before it opens a descriptor: opening one and
     * closing it after {@link OverlappingFileLockException} would silently release the first holder's
     * lock. The state is static because the OS state it mirrors is per process.
     */
    private static final Set<Object> HELD = new HashSet<>();

    private final Path directory;
    private final Object fileKey;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private LogDirectoryLock(Path directory, Object fileKey, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.fileKey = fileKey;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, which must exist, creating its lock file if needed.
     *
     * @throws LogDirectoryInUseException if another process, or this one, holds the lock
     * @throws IOException                if the lock file cannot be created or opened
     */
    public static LogDirectoryLock acquire(Path dir) throws IOException {
        Path lockFile = dir.resolve(LOCK_FILE_NAME);
        synchronized (HELD) {
            createIfAbsent(lockFile);
            Object key = fileKey(lockFile);
            if (HELD.contains(key)) {
                throw new LogDirectoryInUseException(dir, lockFile);
            }
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // Held in this JVM through a channel not opened by this class. Closing our channel
                // would release that lock (see HELD), so the descriptor is deliberately kept open.
                throw new LogDirectoryInUseException(dir, lockFile);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                throw new LogDirectoryInUseException(dir, lockFile);
            }
            HELD.add(key);
            return new LogDirectoryLock(dir, key, channel, lock);
        }
    }

    /** The locked directory. */
    public Path directory() {
        return directory;
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
            } finally {
                channel.close();
                HELD.remove(fileKey);
            }
        }
    }

    private static void createIfAbsent(Path lockFile) throws IOException {
        // createFile fails with O_EXCL before opening a descriptor when the file exists, so it cannot
        // drop a lock this process holds on it.
        try {
            Files.createFile(lockFile);
        } catch (FileAlreadyExistsException e) {
            // already there: the normal case after the first start
        }
    }

    private static Object fileKey(Path lockFile) throws IOException {
        Object key = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
        return key != null ? key : lockFile.toRealPath();
    }
}
