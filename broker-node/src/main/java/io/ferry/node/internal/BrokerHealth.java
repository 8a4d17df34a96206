package io.ferry.node.internal;

import io.ferry.config.NodeKeys;
import io.ferry.node.internal.broker.controller.BrokerLifecycle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a broker can do its job, decided from its session with the controllers and its log directories;
 * every condition that fails is named, so an operator knows what to look at. Pure: the caller reads the
 * clock and the status.
 */
public final class BrokerHealth {

    private BrokerHealth() {}

    /**
     * @param failedLogDirs      log directories that failed at the I/O level → the failure
     * @param nowMillis          the clock of {@link BrokerLifecycle.Status#metadataCurrentAsOfMillis()}
     * @param maxStalenessMillis {@code broker.metadata.max.staleness.ms}
     */
    public static RoleHealth of(
            BrokerLifecycle.Status session, Map<Path, String> failedLogDirs, long nowMillis, long maxStalenessMillis) {
        List<String> problems = new ArrayList<>(session.stoppedThreads());
        if (!session.registered()) {
            problems.add("not registered with the controllers (see controller.quorum.bootstrap.servers and the"
                    + " controllers' health)");
        } else if (session.fenced()) {
            problems.add("fenced by the controllers (no recent heartbeat reached the active controller, or a"
                    + " controlled shutdown)");
        }
        String lastPoll = session.metadataFailure()
                .map(failure -> "; the last poll failed: " + failure)
                .orElse("");
        long asOf = session.metadataCurrentAsOfMillis();
        if (asOf < 0) {
            problems.add("no metadata view applied yet" + lastPoll);
        } else if (nowMillis - asOf > maxStalenessMillis) {
            problems.add("the metadata view has not been current for " + (nowMillis - asOf) + " ms, longer than "
                    + NodeKeys.BROKER_METADATA_MAX_STALENESS_MS.name() + "=" + maxStalenessMillis
                    + (lastPoll.isEmpty() ? " (the metadata thread is still busy with a poll or its view)" : lastPoll));
        }
        failedLogDirs.forEach((dir, failure) -> problems.add(
                "log directory " + dir + " failed: " + failure + " (restart the broker once the disk is fixed)"));
        return RoleHealth.of(problems);
    }
}
