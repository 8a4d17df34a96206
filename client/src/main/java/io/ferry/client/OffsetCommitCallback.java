package io.ferry.client;

import java.util.Map;

/** Told how a {@link FerryConsumer#commitAsync} ended, on the application's thread inside a later consumer call. */
@FunctionalInterface
public interface OffsetCommitCallback {

    /** {@code exception} is null when the coordinator took the offsets, else why it did not. */
    void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception);
}
