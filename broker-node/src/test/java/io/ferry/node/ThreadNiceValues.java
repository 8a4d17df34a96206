package io.ferry.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads Linux nice values of this JVM's threads from {@code /proc}, for tests of background threads. */
public final class ThreadNiceValues {

    private ThreadNiceValues() {}

    /** The calling thread's nice value. */
    public static int current() {
        try {
            return of(Path.of("/proc/thread-self"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The nice value of each thread of this JVM whose kernel name is {@code name}; the kernel keeps the first
     * 15 characters of a Java thread's name.
     */
    public static List<Integer> ofThreadsNamed(String name) {
        String kernelName = name.length() > 15 ? name.substring(0, 15) : name;
        List<Integer> values = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().equals(kernelName)) {
                        values.add(of(task));
                    }
                } catch (NoSuchFileException ended) {
                    // The thread ended after the listing: not one of those running now.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /** Field 19 of the task's {@code stat}, counted from the command name in parentheses (field 2). */
    private static int of(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(afterName[19 - 3]);
    }
}
