package io.ferry.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(target(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                try {
                    Files.copy(file, target(file), StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException renamedAway) {
                    // see above
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                // The walk lists a name and then reads its attributes: the rename can fall between the two.
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }

            private Path target(Path file) {
                return to.resolve(from.relativize(file).toString());
            }
        });
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
