package io.ferry.group;

/**
 * The settings of committed offsets, named after Kafka's broker keys. The caller reads them from the node's
 * configuration; this module reads none itself.
 *
 * @param retentionMs {@code offsets.retention.ms}: how long the offsets of a group without members are kept
 *     (KIP-211)
 * @param metadataMaxBytes {@code offset.metadata.max.bytes}: the longest metadata a commit may attach, in
 *     UTF-8 bytes; at most {@link #METADATA_LIMIT_BYTES}, as the record stores its length in a short
 */
public record OffsetConfig(long retentionMs, int metadataMaxBytes) {

    /** Kafka's defaults: offsets kept 7 days, metadata up to 4096 bytes. */
    public static final OffsetConfig DEFAULTS = new OffsetConfig(7L * 24 * 60 * 60 * 1000, 4096);

    public static final int METADATA_LIMIT_BYTES = Short.MAX_VALUE;

    public OffsetConfig {
        if (retentionMs < 0) {
            throw new IllegalArgumentException("offsets retention must not be negative, not " + retentionMs + " ms");
        }
        if (metadataMaxBytes < 0 || metadataMaxBytes > METADATA_LIMIT_BYTES) {
            throw new IllegalArgumentException("offset metadata limit must be within 0.." + METADATA_LIMIT_BYTES
                    + " bytes, not " + metadataMaxBytes);
        }
    }
}
