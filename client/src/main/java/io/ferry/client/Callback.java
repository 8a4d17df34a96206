package io.ferry.client;

/**
 * Told once when a sent record is acknowledged or has failed. Runs on the producer's sender thread:
 * keep it short, and never block in it on the same producer.
 */
@FunctionalInterface
public interface Callback {

    /**
     * @param metadata  the record's position; null when {@code exception} is not
     * @param exception null on success, else why the record was not written (a {@link FerryException})
     */
    void onCompletion(RecordMetadata metadata, Exception exception);
}
