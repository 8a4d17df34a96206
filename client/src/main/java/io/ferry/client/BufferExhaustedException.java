package io.ferry.client;

/**
 * {@link FerryProducer#send} waited {@code max.block.ms} for {@code buffer.memory} to free up and it
 * did not: the producer is writing faster than the brokers acknowledge.
 */
public final class BufferExhaustedException extends FerryTimeoutException {

    private static final long serialVersionUID = 1L;

    public BufferExhaustedException(String message) {
        super(message);
    }
}
