package io.ferry.client.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.client.FerryException;
import io.ferry.client.FerryInterruptedException;
import io.ferry.proto.v1.ErrorCode;
import org.junit.jupiter.api.Test;

class CallDeadlineTest {

    @Test
    void anInterruptedBackOffEndsTheRetriesAndLeavesTheThreadInterrupted() {
        CallDeadline deadline = CallDeadline.after(60_000, 100, 30_000);
        Thread.currentThread().interrupt();
        try {
            assertThrows(
                    FerryInterruptedException.class,
                    () -> deadline.backOff(
                            "commit offsets of group g", new FerryException(ErrorCode.NOT_COORDINATOR, "moved")));
            // FerryInterruptedException sets the flag again: a commitSync made on the consumer's thread keeps it.
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
