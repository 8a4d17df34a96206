package io.ferry.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of a log directory, for tests that crash, damage or strip a log. */
final class LogDirs {

    private LogDirs() {}

    /**
     * Copies every file of {@code from} into {@code to}: taken while the log is open, the image a killed
     * process leaves (no clean-shutdown marker). A file the log's background flush renamed away meanwhile (a
     * checkpoint's temp file) is left out, as a kill a moment later would have left it.
     */
    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                try {
                    Files.copy(file, to.resolve(file.getFileName()));
                } catch (NoSuchFileException renamedAway) {
                    // see above
                }
            }
        }
    }

    /** The producer state snapshots of {@code dir}, oldest first. */
    static List<Path> snapshots(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".snapshot"))
                    .sorted()
                    .toList();
        }
    }

    static void deleteSnapshots(Path dir) throws IOException {
        for (Path snapshot : snapshots(dir)) {
            Files.delete(snapshot);
        }
    }
}
