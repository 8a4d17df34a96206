package io.ferry.cli.internal;

import io.ferry.client.AdminConfig;
import io.ferry.client.ClusterDescription;
import io.ferry.client.FerryAdmin;
import io.ferry.client.TopicDescription;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry cluster [--watch]}: brokers, the active controller and every partition's replicas. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = {
            "Show brokers (alive or fenced), the active controller, and each partition's leader, "
                    + "leader epoch, replicas and ISR; under-replicated and offline partitions are marked.",
            "With --watch, redraw every --interval to follow a failover. Give several --bootstrap "
                    + "brokers so the view survives losing one."
        })
public final class ClusterCommand extends ClientCommand {

    @Option(
            names = {"-w", "--watch"},
            description = "Redraw until Ctrl-C (or --watch-for).")
    boolean watch;

    @Option(
            names = "--interval",
            defaultValue = "1s",
            converter = Converters.DurationConverter.class,
            paramLabel = "DURATION",
            description = "Time between redraws with --watch (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(
            names = "--watch-for",
            converter = Converters.DurationConverter.class,
            paramLabel = "DURATION",
            description = "Stop watching after this long (e.g. 30s, 5m).")
    Duration watchFor;

    ClusterCommand(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (interval.isZero() || interval.isNegative()) {
            throw new UsageException("--interval must be positive");
        }
        if (watchFor != null && !watch) {
            throw new UsageException("--watch-for needs --watch");
        }
        ClientSettings settings = settings();
        // While watching, a dead bootstrap broker must not stall the redraws for the CLI's 15 s default,
        // and one silent broker (killed without a reset) must leave time to ask the next one.
        long callTimeout = watch ? Math.max(1500, Math.min(6000, interval.toMillis() * 3)) : 15000;
        try (FerryAdmin admin = new FerryAdmin(settings.admin(
                Map.of(
                        AdminConfig.DEFAULT_API_TIMEOUT_MS, Long.toString(callTimeout),
                        AdminConfig.REQUEST_TIMEOUT_MS, Long.toString(watch ? callTimeout / 3 : 10000)),
                Map.of()))) {
            if (!watch) {
                out().print(view(admin, environment.terminal()));
                return ErrorReporter.OK;
            }
            new Watcher(out(), environment.terminal(), environment.clock(), environment.ticker())
                    .watch(
                            () -> view(admin, environment.terminal()),
                            interval,
                            watchFor,
                            "ferry cluster @ " + settings.bootstrap());
            return ErrorReporter.OK;
        }
    }

    private static String view(FerryAdmin admin, boolean ansi) {
        ClusterDescription cluster = admin.describeCluster();
        List<TopicDescription> topics = admin.describeTopics(List.of()).values().stream()
                .sorted(Comparator.comparing(TopicDescription::name))
                .toList();
        return ClusterReport.render(cluster, topics, ansi);
    }
}
