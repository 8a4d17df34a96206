package io.ferry.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A second process for {@link LogDirectoryLockTest}. {@code hold <dir>}: locks the directory, prints
 * {@code LOCKED}, and keeps the lock until its stdin closes. {@code try <dir>}: prints {@code ACQUIRED}
 * (exit 0) or {@code IN_USE <message>} (exit 3).
 */
public final class LockHolderMain {

    private LockHolderMain() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        if (args[0].equals("hold")) {
            try (LogDirectoryLock lock = LogDirectoryLock.acquire(dir)) {
                System.out.println("LOCKED");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // hold until the parent closes our stdin or kills us
                }
            }
            return;
        }
        try (LogDirectoryLock lock = LogDirectoryLock.acquire(dir)) {
            System.out.println("ACQUIRED");
        } catch (LogDirectoryInUseException e) {
            System.out.println("IN_USE " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
