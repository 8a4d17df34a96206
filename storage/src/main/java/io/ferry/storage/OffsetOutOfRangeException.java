package io.ferry.storage;

/**
 * A read asked for an offset outside [log start offset, log end offset]. Carries both bounds so a
 * consumer can reset to one of them.
 */
public final class OffsetOutOfRangeException extends Exception {

    private final long requestedOffset;
    private final long logStartOffset;
    private final long logEndOffset;

    public OffsetOutOfRangeException(long requestedOffset, long logStartOffset, long logEndOffset) {
        super("offset " + requestedOffset + " is outside the log's range [" + logStartOffset + ", " + logEndOffset
                + "]");
        this.requestedOffset = requestedOffset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    public long requestedOffset() {
        return requestedOffset;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }
}
