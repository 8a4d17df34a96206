package io.ferry.storage;

import io.ferry.storage.internal.CheckpointFile;
import io.ferry.storage.internal.CheckpointFile.MalformedEntryException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-log-directory file mapping partitions to an offset (recovery point, log start offset, high
 * watermark), in Kafka's checkpoint layout: a version line ({@value #VERSION}), an entry-count line,
 * then one {@code <topic> <partition> <offset>} line per partition.
 *
 * <p>Writes are atomic (see {@link CheckpointFile}); a crash leaves the previous or the new content.
 * Not thread-safe: one owner writes the file.
 */
public final class OffsetCheckpointFile {

    /** The format version written on the first line. */
    public static final int VERSION = 0;

    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final CheckpointFile<Map.Entry<TopicPartition, Long>> checkpoint;

    public OffsetCheckpointFile(Path file) {
        this.checkpoint = new CheckpointFile<>(file, VERSION, new Format());
    }

    public Path file() {
        return checkpoint.file();
    }

    /**
     * Atomically replaces the file with {@code offsets}, written in topic and partition order.
     *
     * @throws IllegalArgumentException if an offset is negative
     */
    public void write(Map<TopicPartition, Long> offsets) throws IOException {
        List<Map.Entry<TopicPartition, Long>> entries = new ArrayList<>(offsets.entrySet());
        for (Map.Entry<TopicPartition, Long> entry : entries) {
            if (entry.getValue() < 0) {
                throw new IllegalArgumentException("offset " + entry.getValue() + " for " + entry.getKey()
                        + " is negative; checkpointed offsets are at least 0");
            }
        }
        entries.sort(Map.Entry.comparingByKey(ORDER));
        checkpoint.write(entries);
    }

    /**
     * The offsets in the file, in file order; empty if the file does not exist.
     *
     * @throws CorruptCheckpointException if the file is truncated, malformed, or names a partition twice
     */
    public Map<TopicPartition, Long> read() throws IOException {
        List<Map.Entry<TopicPartition, Long>> entries = checkpoint.read();
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Map.Entry<TopicPartition, Long> entry = entries.get(i);
            if (offsets.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
                throw new CorruptCheckpointException(
                        checkpoint.file(),
                        CheckpointFile.lineOfEntry(i),
                        "partition " + entry.getKey() + " appears more than once");
            }
        }
        return Collections.unmodifiableMap(offsets);
    }

    private static final class Format implements CheckpointFile.EntryFormat<Map.Entry<TopicPartition, Long>> {

        @Override
        public String format(Map.Entry<TopicPartition, Long> entry) {
            return entry.getKey().topic() + " " + entry.getKey().partition() + " " + entry.getValue();
        }

        @Override
        public Map.Entry<TopicPartition, Long> parse(String line) throws MalformedEntryException {
            String[] fields = line.split(" ", -1);
            if (fields.length != 3) {
                throw new MalformedEntryException("expected '<topic> <partition> <offset>'");
            }
            TopicPartition partition;
            try {
                partition = new TopicPartition(
                        fields[0], (int) CheckpointFile.parseField(fields[1], "partition", Integer.MAX_VALUE));
            } catch (InvalidTopicException e) {
                throw new MalformedEntryException(e.getMessage());
            }
            return Map.entry(partition, CheckpointFile.parseField(fields[2], "offset", Long.MAX_VALUE));
        }
    }
}
