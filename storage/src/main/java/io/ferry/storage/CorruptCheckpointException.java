package io.ferry.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be trusted: truncated, not in the expected format, or holding values
 * that break the file's invariants. Checkpoints are written atomically, so this means the disk or an
 * operator changed the file; the message names the file and the 1-based line so a person can look.
 */
public final class CorruptCheckpointException extends IOException {

    private final Path file;
    private final int line;

    public CorruptCheckpointException(Path file, int line, String problem) {
        super("checkpoint file " + file + " is corrupt at line " + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public CorruptCheckpointException(Path file, int line, String problem, Throwable cause) {
        this(file, line, problem);
        initCause(cause);
    }

    public Path file() {
        return file;
    }

    /** The 1-based line the problem was found on. */
    public int line() {
        return line;
    }
}
