package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command the way a user would in a terminal, bounded in time, and captures its output. */
final class Shell {

    /** What the command printed (stdout and stderr interleaved) and how it exited. */
    record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + ", output:\n" + output;
        }
    }

    private Shell() {}

    /**
     * Runs {@code command} in the repository root with the inherited environment minus every
     * {@code FERRY_*} variable, plus {@code env}.
     *
     * @throws AssertionError if it does not exit within {@code timeout} (it is killed then)
     */
    static Result run(Duration timeout, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        return run(Repo.ROOT, timeout, env, command);
    }

    /** As {@link #run(Duration, Map, List)}, in {@code directory}. */
    static Result run(Path directory, Duration timeout, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        return run(directory, timeout, env, command, Path.of("/dev/null"));
    }

    /** As {@link #run(Duration, Map, List)}, with {@code input}'s contents on its standard input. */
    static Result run(Duration timeout, List<String> command, String input) throws IOException, InterruptedException {
        Path in = Files.createTempFile("ferry-system-test", ".in");
        try {
            Files.writeString(in, input, StandardCharsets.UTF_8);
            return run(Repo.ROOT, timeout, Map.of(), command, in);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private static Result run(
            Path directory, Duration timeout, Map<String, String> env, List<String> command, Path input)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("ferry-system-test", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(input.toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("FERRY_"));
            pb.environment().putAll(env);
            Process process = pb.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeout + "; output:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, Map.of(), List.of(command));
    }
}
