package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoThrottleTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void bytesAheadOfTheRateByMoreThanTheSlackPauseTheCallerUntilTheyAreNot() {
        IoThrottle throttle = new IoThrottle(1_000_000, 0); // 1 MB/s: 1,000 bytes per ms
        assertEquals(0, throttle.record(200_000, 0)); // 200 ms ahead: within the slack
        assertEquals(0, throttle.record(50_000, 10 * MS)); // 240 ms ahead
        assertEquals(390 * MS, throttle.record(150_000, 10 * MS)); // 400 KB due at 400 ms, 10 ms in
        // The next period starts when the pause ends.
        assertEquals(0, throttle.record(100_000, 400 * MS));
        assertEquals(300 * MS, throttle.record(200_000, 400 * MS));
    }

    @Test
    void idleTimeEarnsNoCreditForALaterBurst() {
        IoThrottle throttle = new IoThrottle(1_000_000, 0);
        assertEquals(0, throttle.record(1_000, 10_000 * MS)); // 10 s idle: the period restarts here
        assertEquals(300 * MS, throttle.record(300_000, 10_000 * MS));
    }

    @Test
    void anUnlimitedRateNeverPausesAndANonPositiveOneIsRefused() {
        IoThrottle unlimited = new IoThrottle(Long.MAX_VALUE, 0);
        assertEquals(0, unlimited.record(Long.MAX_VALUE / 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new IoThrottle(0, 0));
    }
}
