package io.ferry.cli.internal;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a cluster takes. Mixed into the root command and into
 * each such subcommand, so they may be given before or after the command name; the subcommand's
 * value wins.
 */
public final class ClientOptions {

    /** Used when neither {@code --bootstrap} nor {@code FERRY_BOOTSTRAP} is given: the local embedded node. */
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    /** The environment variable read when {@code --bootstrap} is absent. */
    public static final String BOOTSTRAP_VARIABLE = "FERRY_BOOTSTRAP";

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Brokers to connect to (default: $FERRY_BOOTSTRAP, else " + DEFAULT_BOOTSTRAP + ").")
    String bootstrap;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description = "Client properties file (Kafka key names, e.g. request.timeout.ms); each key goes to "
                    + "the clients (admin, producer, consumer) that know it.")
    Path commandConfig;

    /**
     * Resolves the settings: these options, else {@code fallback}'s (the root command's), else
     * {@code FERRY_BOOTSTRAP}, else the file's {@code bootstrap.servers}, else {@link #DEFAULT_BOOTSTRAP}.
     */
    public ClientSettings resolve(ClientOptions fallback, Environment environment) {
        String servers = bootstrap != null ? bootstrap : fallback.bootstrap;
        if (servers == null) {
            servers = environment.variables().get(BOOTSTRAP_VARIABLE);
        }
        Path file = commandConfig != null ? commandConfig : fallback.commandConfig;
        return ClientSettings.load(servers, file);
    }
}
