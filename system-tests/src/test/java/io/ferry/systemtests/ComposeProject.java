package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * docker-compose.yml run as one compose project, named so that it cannot be confused with a user's
 * cluster, with image names given through the compose file's variables. Commands are written as the
 * README gives them ({@code docker compose ...}) and run with Compose v2 when the {@code docker}
 * client has it, else with Compose v1's {@code docker-compose}, which takes the same arguments.
 */
final class ComposeProject {

    private final String name;
    private final Map<String, String> env;
    private final String compose;

    /**
     * @param variables compose variables: images ({@code NODE_IMAGE}, {@code PROMETHEUS_IMAGE}) and folders
     */
    ComposeProject(String name, Map<String, String> variables) throws IOException, InterruptedException {
        this.name = name;
        Map<String, String> env = new TreeMap<>(variables);
        env.put("COMPOSE_PROJECT_NAME", name);
        this.env = Map.copyOf(env);
        this.compose = Shell.run(Duration.ofSeconds(30), "docker", "compose", "version")
                                .exitCode()
                        == 0
                ? "docker compose"
                : Repo.requireTool("docker-compose", "Debian: apt-get install docker-compose");
    }

    /**
     * Runs a line of the README's walkthrough with bash in the repository root: a compose command,
     * {@code bin/ferry}, {@code curl}, pipes (a pipe fails when any of its commands does).
     */
    Shell.Result run(Duration timeout, String line) throws IOException, InterruptedException {
        String command =
                line.startsWith("docker compose ") ? compose + line.substring("docker compose".length()) : line;
        return Shell.run(timeout, env, List.of("bash", "-o", "pipefail", "-c", command));
    }

    /** The container of a service, which must exist (running or not). */
    String container(String service) throws IOException, InterruptedException {
        Shell.Result ps = run(Duration.ofSeconds(60), "docker compose ps -a -q " + service);
        assertEquals(0, ps.exitCode(), ps::toString);
        List<String> ids =
                ps.output().lines().filter(l -> l.matches("[0-9a-f]{12,64}")).toList();
        assertEquals(1, ids.size(), () -> "one container of " + service + ": " + ps);
        return ids.get(0);
    }

    /** {@code docker inspect --format F} of a container: its health, exit code, ... */
    static String inspect(String container, String format) throws IOException, InterruptedException {
        Shell.Result inspect = Shell.run(Duration.ofSeconds(30), "docker", "inspect", "--format", format, container);
        assertEquals(0, inspect.exitCode(), inspect::toString);
        return inspect.output().strip();
    }

    /** Docker's HEALTHCHECK says healthy for every container of the services. */
    void awaitHealthy(List<String> services, Duration timeout) throws IOException, InterruptedException {
        List<String> containers = new ArrayList<>();
        for (String service : services) {
            containers.add(container(service));
        }
        List<String> command = new ArrayList<>(
                List.of("docker", "inspect", "--format", "{{.Name}} {{.State.Status}} {{.State.Health.Status}}"));
        command.addAll(containers);
        await(services + " healthy")
                .atMost(timeout)
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () -> Shell.run(Duration.ofMinutes(1), Map.of(), command),
                        r -> r.exitCode() == 0
                                && r.output()
                                                .lines()
                                                .filter(l -> l.endsWith(" running healthy"))
                                                .count()
                                        == services.size());
    }

    /**
     * Runs {@code down} (a {@code docker compose ... down -v} line) with {@code --remove-orphans} if the project
     * has anything left, as after a failed or killed run.
     */
    void downIfAnythingIsLeft(String down) throws IOException, InterruptedException {
        if (!leftovers().isEmpty()) {
            Shell.Result result = run(Duration.ofMinutes(5), down + " --remove-orphans");
            assertEquals(0, result.exitCode(), result::toString);
        }
    }

    /** The project's containers, volumes and networks Docker still has ({@code kind id} lines). */
    List<String> leftovers() throws IOException, InterruptedException {
        String label = "label=com.docker.compose.project=" + name;
        List<String> left = new ArrayList<>();
        for (String kind : List.of("container", "volume", "network")) {
            // Stopped containers too; volumes and networks have no such state.
            Shell.Result ls = kind.equals("container")
                    ? Shell.run(Duration.ofSeconds(30), "docker", kind, "ls", "--all", "--quiet", "--filter", label)
                    : Shell.run(Duration.ofSeconds(30), "docker", kind, "ls", "--quiet", "--filter", label);
            assertEquals(0, ls.exitCode(), ls::toString);
            ls.output().lines().filter(l -> !l.isBlank()).forEach(l -> left.add(kind + " " + l));
        }
        return left;
    }

    String name() {
        return name;
    }
}
