package io.ferry.cli;

import io.ferry.cli.internal.AclCommand;
import io.ferry.cli.internal.ClientOptions;
import io.ferry.cli.internal.ClusterCommand;
import io.ferry.cli.internal.CommandFactory;
import io.ferry.cli.internal.ConsumeCommand;
import io.ferry.cli.internal.Environment;
import io.ferry.cli.internal.ErrorReporter;
import io.ferry.cli.internal.GroupsCommand;
import io.ferry.cli.internal.PerfCommand;
import io.ferry.cli.internal.ProduceCommand;
import io.ferry.cli.internal.QuotasCommand;
import io.ferry.cli.internal.TopicCommand;
import io.ferry.cli.internal.UserCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code ferry} command: topics, produce, consume, consumer groups, the cluster view, ACLs and the perf
 * tools.
 *
 * <p>Exit codes: 0 success, 1 a failure while running (the broker's error code and message are
 * printed), 2 a command line that cannot work.
 */
@Command(
        name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = Ferry.Version.class,
        description = "Work with a Ferry cluster: topics, produce, consume, consumer groups, watch the cluster, "
                + "measure it.",
        subcommands = {
            TopicCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            GroupsCommand.class,
            ClusterCommand.class,
            AclCommand.class,
            UserCommand.class,
            QuotasCommand.class,
            PerfCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  ferry topic create --topic orders --partitions 3 --replication-factor 3",
            "  seq 10 | ferry produce --topic orders --acks all",
            "  ferry consume --topic orders --from-beginning --timeout-ms 2000",
            "  ferry groups describe --group billing",
            "  ferry acl add --allow-principal User:alice --operation Read --topic orders",
            "  ferry user add alice --password-file alice.password",
            "  ferry quotas alter --entity-type users --entity-name alice --add-config producer_byte_rate=1048576",
            "  ferry cluster --watch --bootstrap 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
        })
public final class Ferry implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions globalOptions;

    /** The options given before the command name, the fallback for every subcommand. */
    public ClientOptions globalOptions() {
        return globalOptions;
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing command: one of " + spec.subcommands().keySet());
    }

    /** A command line with its error handling, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Environment environment, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(Ferry.class, new CommandFactory(environment));
        ErrorReporter reporter = new ErrorReporter();
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler(reporter);
        cmd.setParameterExceptionHandler(reporter);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = commandLine(Environment.system(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** The version the shaded jar's manifest carries; a build from the IDE or tests has none. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ferry.class.getPackage().getImplementationVersion();
            return new String[] {
                "ferry " + (version == null ? "(development build)" : version), "Java " + Runtime.version()
            };
        }
    }
}
