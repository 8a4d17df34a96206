package io.ferry.node.internal.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandlerTimeTest {

    @Test
    void timeStopsWhenTheHandlerReturnedAndRunsUntilThen() {
        HandlerTime time = HandlerTime.start();
        long before = time.nanos();
        long later = time.nanos();
        assertTrue(later >= before && before >= 0);
        time.handled();
        long handled = time.nanos();
        assertEquals(handled, time.nanos(), "the time no longer runs once the handler returned");
    }
}
