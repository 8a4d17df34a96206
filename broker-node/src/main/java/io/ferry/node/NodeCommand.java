package io.ferry.node;

import io.ferry.config.ConfigException;
import io.ferry.node.internal.RoleFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line of {@link FerryNode#main}: load configuration, start, run until a signal. */
@Command(
        name = "ferry-node",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs a Ferry node with the roles of process.roles. Configuration: defaults < --config "
                + "file < FERRY_* environment variables < --override flags; see docs/configuration.md.")
final class NodeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

    static final int EXIT_INVALID_CONFIG = 2;
    static final int EXIT_START_FAILED = 1;
    /**
     * A thread of the running node met an {@link Error} ({@link HaltProcess}). The same status as the JVM's
     * {@code -XX:+ExitOnOutOfMemoryError}, so a supervisor sees one status for "died of a fatal error".
     */
    static final int EXIT_FATAL_ERROR = 3;

    @Option(names = "--config", paramLabel = "<path>", description = "Properties file to read.")
    Path configFile;

    @Option(
            names = "--override",
            paramLabel = "<key=value>",
            description = "Sets a key, overriding the file and the environment. Repeatable.")
    List<String> overrides = new ArrayList<>();

    private final RoleFactory roles;
    private final Map<String, String> environment;
    private final FatalErrorHandler fatalErrors;

    NodeCommand(RoleFactory roles, Map<String, String> environment, FatalErrorHandler fatalErrors) {
        this.roles = roles;
        this.environment = environment;
        this.fatalErrors = fatalErrors;
    }

    @Override
    public Integer call() throws InterruptedException {
        FerryNode node;
        try {
            NodeConfig config = NodeConfig.load(Optional.ofNullable(configFile), environment, overrides);
            node = FerryNode.start(config, roles, fatalErrors);
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            return EXIT_INVALID_CONFIG;
        } catch (NodeStartException e) {
            log.error("Start-up failed: {}", e.getMessage(), e);
            return EXIT_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "ferry-node-shutdown"));
        node.awaitStopped();
        return 0;
    }
}
