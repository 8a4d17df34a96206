package io.ferry.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.internal.broker.controller.BrokerLifecycle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each condition a broker needs, and the reason named when it fails. */
class BrokerHealthTest {

    private static final long NOW = 100_000;
    private static final long MAX_STALENESS = 30_000;

    private static BrokerLifecycle.Status session(boolean registered, boolean fenced, long currentAsOf) {
        return new BrokerLifecycle.Status(registered, fenced, currentAsOf, Optional.empty(), List.of());
    }

    private static RoleHealth health(BrokerLifecycle.Status session, Map<Path, String> failedDirs) {
        return BrokerHealth.of(session, failedDirs, NOW, MAX_STALENESS);
    }

    @Test
    void aRegisteredUnfencedBrokerWithACurrentViewAndSoundDirectoriesIsHealthy() {
        assertEquals(RoleHealth.UP, health(session(true, false, NOW - MAX_STALENESS), Map.of()));
    }

    @Test
    void everyFailedConditionIsNamed() {
        RoleHealth starting = health(
                new BrokerLifecycle.Status(false, true, -1, Optional.of("no controller answered"), List.of()),
                Map.of());
        assertEquals(
                "not registered with the controllers (see controller.quorum.bootstrap.servers and the "
                        + "controllers' health); no metadata view applied yet; the last poll failed: no controller answered",
                starting.reason());

        assertEquals(
                "fenced by the controllers (no recent heartbeat reached the active controller, or a controlled "
                        + "shutdown)",
                health(session(true, true, NOW), Map.of()).reason());

        assertEquals(
                "the metadata view has not been current for 30001 ms, longer than "
                        + "broker.metadata.max.staleness.ms=30000 (the metadata thread is still busy with a poll or its view)",
                health(session(true, false, NOW - MAX_STALENESS - 1), Map.of()).reason());

        assertEquals(
                "log directory /data/1 failed: append to /data/1/t-0 failed: No space left on device (restart "
                        + "the broker once the disk is fixed)",
                health(
                                session(true, false, NOW),
                                Map.of(Path.of("/data/1"), "append to /data/1/t-0 failed: No space left on device"))
                        .reason());

        assertEquals(
                "the broker's metadata thread stopped: java.lang.OutOfMemoryError",
                health(
                                new BrokerLifecycle.Status(
                                        true,
                                        false,
                                        NOW,
                                        Optional.empty(),
                                        List.of("the broker's metadata thread stopped: java.lang.OutOfMemoryError")),
                                Map.of())
                        .reason());
    }
}
