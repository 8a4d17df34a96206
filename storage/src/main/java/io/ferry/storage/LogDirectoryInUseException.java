package io.ferry.storage;

import java.io.IOException;
import java.nio.file.Path;

/** A log directory whose lock is held by another Ferry process, or already by this one. */
public final class LogDirectoryInUseException extends IOException {

    private final Path directory;

    public LogDirectoryInUseException(Path directory, Path lockFile) {
        super("log directory " + directory + " is locked by another Ferry process (lock file " + lockFile + ")");
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
