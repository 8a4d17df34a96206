package io.ferry.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Files of a log directory, for tests that crash, damage or strip a log. */
final class LogDirs {

    private LogDirs() {}

    /**
     * Copies the tree under {@code from} into {@code to}, replacing files already there: taken while the logs
     * are open, the image a killed process leaves (no clean-shutdown marker). A file a log's background flush
     * renamed away meanwhile (a checkpoint's temp file) is left out, as a kill a moment later would have left it.
     */
    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                    continue;
                }
                try {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
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
