package io.ferry.storage;

import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when told. */
final class ManualClock implements InstantSource {

    private volatile long millis;

    ManualClock(long millis) {
        this.millis = millis;
    }

    void advance(long deltaMs) {
        millis += deltaMs;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }
}
