package io.ferry.systemtests;

import java.util.ArrayList;
import java.util.List;

/**
 * Every record a broker acknowledged to the {@link LoadGenerator} or a {@link WriteProbe}: which
 * partition, at which offset, with which value. Every send carries a value no other send has, so a
 * value names one send.
 *
 * <p>Thread-safe: producers' callbacks add from their sender threads while the test reads.
 */
final class AckLedger {

    /** One acknowledged record. */
    record Ack(int partition, long offset, String value) {}

    private final List<Ack> acks = new ArrayList<>();

    synchronized void acknowledged(int partition, long offset, String value) {
        acks.add(new Ack(partition, offset, value));
    }

    synchronized int size() {
        return acks.size();
    }

    /** A copy of every acknowledgement so far, in the order they arrived. */
    synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }
}
