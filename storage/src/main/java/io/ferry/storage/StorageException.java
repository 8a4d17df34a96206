package io.ferry.storage;

/**
 * A log directory failed at the I/O level (disk full, read error, a file that cannot be opened or
 * renamed). The log that threw it should be treated as offline: its state on disk is whatever the
 * failed operation left, which the next recovery will repair.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
