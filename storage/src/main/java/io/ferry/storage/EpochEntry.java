package io.ferry.storage;

/**
 * The first offset written under a leader epoch.
 *
 * @param epoch       the leader epoch, at least 0
 * @param startOffset the offset of the first batch with that epoch, at least 0
 */
public record EpochEntry(int epoch, long startOffset) {

    public EpochEntry {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("invalid leader epoch entry (epoch " + epoch + ", start offset "
                    + startOffset + "): both must be at least 0");
        }
    }
}
