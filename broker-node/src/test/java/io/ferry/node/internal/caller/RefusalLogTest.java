package io.ferry.node.internal.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A client retrying what is refused, or flooding the node with it, gets one log line per interval. */
class RefusalLogTest {

    @Test
    void oneLinePerIntervalWithTheCountOfThoseNotLogged() {
        AtomicLong now = new AtomicLong(1_000);
        RefusalLog log = new RefusalLog(100, now::get);

        assertEquals(0, log.suppressedOrLog(), "the first refusal is logged");
        assertEquals(-1, log.suppressedOrLog());
        now.addAndGet(99);
        assertEquals(-1, log.suppressedOrLog());
        now.addAndGet(1);
        assertEquals(2, log.suppressedOrLog(), "logged, naming the two refusals since the last line");
        assertEquals(-1, log.suppressedOrLog());
    }
}
