package io.ferry.storage;

/**
 * The answer to "where does my epoch end in your log" (KIP-101, KIP-279): the largest epoch the log
 * knows that is at most the requested one, and the offset one past its last batch.
 *
 * @param epoch     a leader epoch, or {@value #UNDEFINED_EPOCH}
 * @param endOffset an exclusive end offset, or {@value #UNDEFINED_OFFSET}
 */
public record EpochEndOffset(int epoch, long endOffset) {

    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1L;

    /** The log cannot answer: no epochs are known, or the request was for an unknown epoch. */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);

    public EpochEndOffset {
        if (epoch < UNDEFINED_EPOCH || endOffset < UNDEFINED_OFFSET) {
            throw new IllegalArgumentException(
                    "invalid epoch end offset (epoch " + epoch + ", end offset " + endOffset + ")");
        }
    }

    public boolean isUndefined() {
        return epoch == UNDEFINED_EPOCH;
    }
}
