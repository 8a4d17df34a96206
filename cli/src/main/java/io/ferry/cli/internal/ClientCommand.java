package io.ferry.cli.internal;

import io.ferry.cli.Ferry;
import io.ferry.client.FerryAdmin;
import io.ferry.client.TopicDescription;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that talk to a cluster: the client options, the output writers picocli was
 * given, and the injected {@link Environment}. A command returns its exit code; failures are
 * exceptions that {@link ErrorReporter} turns into one line and an exit code.
 */
public abstract class ClientCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    protected final Environment environment;

    protected ClientCommand(Environment environment) {
        this.environment = environment;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * Reports a failure the command found itself (not an exception) the way {@link ErrorReporter} reports one,
     * and returns the exit code to end with.
     */
    protected int failed(String message) {
        err().println("error: " + message);
        err().flush();
        return ErrorReporter.FAILURE;
    }

    protected ClientSettings settings() {
        Ferry root = (Ferry) spec.root().userObject();
        return clientOptions.resolve(root.globalOptions(), environment);
    }

    protected FerryAdmin admin(ClientSettings settings) {
        return new FerryAdmin(settings.admin(Map.of()));
    }

    /** Describes one topic; UNKNOWN_TOPIC surfaces as the broker's error. */
    protected static TopicDescription describeTopic(FerryAdmin admin, String topic) {
        return admin.describeTopics(List.of(topic)).get(topic);
    }

    /** Checks {@code --partition} against the topic and returns the partitions a command works on. */
    protected static List<Integer> partitions(TopicDescription topic, Integer partition) {
        int count = topic.partitions().size();
        if (partition == null) {
            return IntStream.range(0, count).boxed().toList();
        }
        if (partition < 0 || partition >= count) {
            throw new UsageException("--partition " + partition + " does not exist: topic '" + topic.name() + "' has "
                    + count + " partition(s), 0.." + (count - 1));
        }
        return List.of(partition);
    }
}
