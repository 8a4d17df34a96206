package io.ferry.node.internal.broker.authz;

import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.security.AclOperation;
import io.ferry.security.ResourceType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records each refused call: {@code ferry_authorization_denied_total{operation,resource_type}} counts it, and
 * a log line names the principal, its host, the operation and the resource, at most one line per
 * {@link #LOG_INTERVAL_NANOS} (the next says how many were not logged), so a client retrying a refused call in
 * a loop cannot fill the disk. Thread-safe.
 */
public final class AuthorizationDenials {

    /**
     * The longest resource name a line quotes whole: longer than any valid topic name (249), so only a name a
     * client made up to be long is cut, and a line stays short whatever it sent.
     */
    static final int LOGGED_NAME_MAX_CHARS = 256;

    /** The least time between two denial lines. */
    public static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final MeterRegistry registry;
    private final RefusalLog refusalLog;
    private final Consumer<String> warnings;

    /**
     * @param registry   where the counter is registered
     * @param refusalLog which denials get a line
     * @param warnings   where the lines go (the log, or a test's list)
     */
    public AuthorizationDenials(MeterRegistry registry, RefusalLog refusalLog, Consumer<String> warnings) {
        this.registry = registry;
        this.refusalLog = refusalLog;
        this.warnings = warnings;
    }

    private static String logged(String name) {
        return name.length() <= LOGGED_NAME_MAX_CHARS
                ? name
                : name.substring(0, LOGGED_NAME_MAX_CHARS) + "... (" + name.length() + " characters)";
    }

    void denied(Caller caller, AclOperation operation, ResourceType type, String name) {
        Counter.builder("ferry.authorization.denied")
                .description("Calls refused because the caller's principal may not do their operation")
                .tag("operation", operation.name())
                .tag("resource_type", type.name())
                .register(registry)
                .increment();
        long suppressed = refusalLog.suppressedOrLog();
        if (suppressed >= 0) {
            warnings.accept("Denied " + operation + " on " + type + " '" + logged(name) + "' to " + caller.principal()
                    + " from " + (caller.host().isEmpty() ? "no network connection" : caller.host()) + " ("
                    + suppressed + " more denials since the last such line)");
        }
    }
}
