package io.ferry.node.internal.caller;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What runs when a connection ends: each key's first action, once, also when registered after the end. */
class CallerConnectionTest {

    final CallerConnection.Connection connection = new CallerConnection.Connection(null);
    final List<String> ran = new ArrayList<>();

    @Test
    void theEndRunsTheFirstActionOfEachKeyOnce() {
        connection.whenEnded(1, () -> ran.add("first of 1"));
        connection.whenEnded(1, () -> ran.add("second of 1"));
        connection.whenEnded(2, () -> ran.add("first of 2"));
        assertEquals(List.of(), ran);

        connection.end();
        connection.end();

        assertEquals(List.of("first of 1", "first of 2"), ran.stream().sorted().toList());
    }

    @Test
    void anActionRegisteredAfterTheEndRunsAtOnce() {
        connection.end();

        connection.whenEnded(1, () -> ran.add("late"));

        assertEquals(List.of("late"), ran);
    }

    @Test
    void aConnectionThatNeverBecameATransportEndsQuietly() {
        // gRPC passes null attributes when the transport was never ready, such as after a failed TLS handshake.
        assertDoesNotThrow(() -> CallerConnection.INSTANCE.transportTerminated(null));
    }
}
