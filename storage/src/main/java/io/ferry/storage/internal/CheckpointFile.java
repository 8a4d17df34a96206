package io.ferry.storage.internal;

import io.ferry.storage.CorruptCheckpointException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A small text file of entries, replaced atomically on every write, in the layout of Kafka's
 * checkpoint files:
 *
 * <pre>
 * &lt;version&gt;\n
 * &lt;entry count&gt;\n
 * &lt;entry&gt;\n      (entry count times)
 * </pre>
 *
 * <p>A write goes to {@code <file>.tmp}, is forced to disk, renamed over the file and the directory is
 * forced, so a crash leaves either the old or the new content, never a mix. An unsynced write skips the
 * forcing, for files whose owner forces them later ({@link #sync}) but before anything depends on them
 * surviving a power loss. A read accepts exactly
 * that layout: every line ends with {@code '\n'}, the count matches, nothing follows; anything else is
 * a {@link CorruptCheckpointException} naming the line.
 *
 * <p>Not thread-safe: the owner serialises writes (concurrent writers would share the temp file).
 *
 * @param <T> the entry type
 */
public final class CheckpointFile<T> {

    /** Lines before the first entry (version and count). */
    private static final int HEADER_LINES = 2;

    /** Longer than any valid line; bounds what a corrupt file can make a reader buffer. */
    private static final int MAX_LINE_BYTES = 1024;

    /** How one entry becomes a line and back. */
    public interface EntryFormat<T> {

        /** The entry as one line, without the line terminator; it must not contain {@code '\n'}. */
        String format(T entry);

        /** Parses a line produced by {@link #format}; the exception message says what is wrong. */
        T parse(String line) throws MalformedEntryException;
    }

    /** A line that is not a valid entry. */
    public static final class MalformedEntryException extends Exception {
        public MalformedEntryException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final Path tempFile;
    private final int version;
    private final EntryFormat<T> format;

    public CheckpointFile(Path file, int version, EntryFormat<T> format) {
        this.file = file;
        this.tempFile = file.resolveSibling(file.getFileName() + ".tmp");
        this.version = version;
        this.format = format;
    }

    public Path file() {
        return file;
    }

    /** The 1-based line number of the entry at {@code index}, for errors found after {@link #read()}. */
    public static int lineOfEntry(int index) {
        return HEADER_LINES + 1 + index;
    }

    /**
     * Parses a field of an entry line: a decimal number from 0 to {@code max}, digits only (no sign,
     * no spaces), so every accepted field is what {@link Long#toString} would have written.
     */
    public static long parseField(String field, String name, long max) throws MalformedEntryException {
        boolean digitsOnly =
                !field.isEmpty() && field.length() <= 19 && field.chars().allMatch(c -> c >= '0' && c <= '9');
        if (digitsOnly && (field.length() == 1 || field.charAt(0) != '0')) {
            try {
                long value = Long.parseLong(field);
                if (value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // beyond Long.MAX_VALUE: reported below
            }
        }
        throw new MalformedEntryException(name + " '" + field + "' is not a decimal number from 0 to " + max);
    }

    /** Atomically replaces the file's content with {@code entries}, in iteration order, and forces it to disk. */
    public void write(Collection<? extends T> entries) throws IOException {
        replace(entries, true);
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Replaces the file's content with {@code entries} as {@link #write} does, without forcing anything to
     * disk: a crash of the process leaves the old or the new content, and {@link #sync} makes the new
     * content survive a power loss too.
     */
    public void writeUnsynced(Collection<? extends T> entries) throws IOException {
        replace(entries, false);
    }

    /**
     * Forces the file and its directory entry to disk: what {@link #writeUnsynced} wrote survives a power
     * loss once this returns. A file or directory that no longer exists (the partition was removed
     * meanwhile) has nothing to force.
     */
    public void sync() throws IOException {
        try {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(true);
            }
            forceDirectory(file.toAbsolutePath().getParent());
        } catch (NoSuchFileException e) {
            // Deleted meanwhile with its directory (the partition was removed): nothing is left to keep.
        }
    }

    private void replace(Collection<? extends T> entries, boolean force) throws IOException {
        StringBuilder text = new StringBuilder(32 + entries.size() * 32);
        text.append(version).append('\n').append(entries.size()).append('\n');
        for (T entry : entries) {
            String line = format.format(entry);
            if (line.indexOf('\n') >= 0 || line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
                throw new IllegalArgumentException(
                        "entry " + entry + " does not format to one line of at most " + MAX_LINE_BYTES + " bytes");
            }
            text.append(line).append('\n');
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
        try (FileChannel channel = FileChannel.open(
                tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (force) {
                channel.force(true);
            }
        }
        Files.move(tempFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The entries in file order; empty if the file does not exist.
     *
     * @throws CorruptCheckpointException if the file is not exactly in the layout above
     */
    public List<T> read() throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        try (InputStream buffered = new BufferedInputStream(in)) {
            Lines lines = new Lines(buffered);
            String versionLine = lines.next("the version");
            if (!versionLine.equals(Integer.toString(version))) {
                throw corrupt(lines.number(), "expected version " + version + " but found '" + versionLine + "'");
            }
            int count = parseCount(lines.next("the entry count"), lines.number());
            List<T> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String line = lines.next("entry " + (i + 1) + " of " + count);
                try {
                    entries.add(format.parse(line));
                } catch (MalformedEntryException e) {
                    throw corrupt(lines.number(), "malformed entry '" + line + "': " + e.getMessage());
                }
            }
            if (lines.hasMore()) {
                throw corrupt(lines.number() + 1, "more than the " + count + " entries the header announces");
            }
            return entries;
        }
    }

    private int parseCount(String line, int lineNumber) throws CorruptCheckpointException {
        try {
            int count = Integer.parseInt(line);
            if (count >= 0 && line.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below with the line
        }
        throw corrupt(lineNumber, "expected a non-negative entry count but found '" + line + "'");
    }

    private CorruptCheckpointException corrupt(int line, String problem) {
        return new CorruptCheckpointException(file, line, problem);
    }

    /** Fsyncs a directory so a rename in it survives a crash (works on Linux and macOS). */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Splits the bytes into '\n'-terminated lines, each decoded as strict UTF-8 on its own so errors
     * carry the right line number ('\n' never occurs inside a multi-byte UTF-8 sequence). A missing
     * final terminator means the file was truncated.
     */
    private final class Lines {
        private final InputStream in;
        private final byte[] line = new byte[MAX_LINE_BYTES];
        private int number;
        private int lookahead = -2;

        Lines(InputStream in) {
            this.in = in;
        }

        int number() {
            return number;
        }

        String next(String expected) throws IOException {
            number++;
            int length = 0;
            while (true) {
                int b = read();
                if (b < 0) {
                    throw corrupt(
                            number,
                            length == 0
                                    ? "file ends where " + expected + " was expected (truncated)"
                                    : "file ends inside " + expected + " (truncated line)");
                }
                if (b == '\n') {
                    return decode(length);
                }
                if (length == MAX_LINE_BYTES) {
                    throw corrupt(number, "line longer than " + MAX_LINE_BYTES + " bytes");
                }
                line[length++] = (byte) b;
            }
        }

        boolean hasMore() throws IOException {
            lookahead = read();
            return lookahead >= 0;
        }

        private String decode(int length) throws CorruptCheckpointException {
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(line, 0, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CorruptCheckpointException(file, number, "not valid UTF-8", e);
            }
        }

        private int read() throws IOException {
            if (lookahead != -2) {
                int b = lookahead;
                lookahead = -2;
                return b;
            }
            return in.read();
        }
    }
}
