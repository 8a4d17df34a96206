package io.ferry.cli.internal;

import io.ferry.client.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's reset plan CSV, one {@code topic,partition,offset} line per partition: what
 * {@code groups reset-offsets --export} prints and {@code --from-file} reads, so an export can be edited
 * and fed back. A file is read whole and checked before anything is asked of the cluster: one bad line
 * and nothing is reset. Stateless.
 */
final class OffsetsCsv {

    private OffsetsCsv() {}

    /** The offsets, sorted by topic and partition. */
    static String format(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, Long> sorted = new TreeMap<>(GroupFormat.BY_TOPIC_AND_PARTITION);
        sorted.putAll(offsets);
        StringBuilder sb = new StringBuilder();
        sorted.forEach((tp, offset) -> sb.append(tp.topic())
                .append(',')
                .append(tp.partition())
                .append(',')
                .append(offset)
                .append('\n'));
        return sb.toString();
    }

    /** Reads {@code --from-file}; a file that cannot be read is a usage error, as a malformed one. */
    static Map<TopicPartition, Long> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--from-file " + file + ": cannot read it (" + e + ")", e);
        }
        return parse(text, "--from-file " + file);
    }

    /**
     * Each partition's offset, in the order of the lines; blank lines are skipped.
     *
     * @param source names the text in errors ("--from-file plan.csv")
     * @throws UsageException for the first malformed line, with its number and what is wrong with it
     */
    static Map<TopicPartition, Long> parse(String text, String source) {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        Map<TopicPartition, Integer> lineOf = new HashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int number = i + 1;
            String[] fields = line.split(",", -1);
            if (fields.length != 3) {
                throw malformed(source, number, "expected topic,partition,offset, got '" + line + "'");
            }
            String topic = fields[0].strip();
            if (topic.isEmpty()) {
                throw malformed(source, number, "the topic is empty");
            }
            TopicPartition tp =
                    new TopicPartition(topic, (int) number(fields[1], Integer.MAX_VALUE, "partition", source, number));
            long offset = number(fields[2], Long.MAX_VALUE, "offset", source, number);
            Integer earlier = lineOf.putIfAbsent(tp, number);
            if (earlier != null) {
                throw malformed(source, number, tp + " already has an offset, on line " + earlier);
            }
            offsets.put(tp, offset);
        }
        if (offsets.isEmpty()) {
            throw new UsageException(source + ": no topic,partition,offset line in it");
        }
        return offsets;
    }

    private static long number(String field, long max, String what, String source, int line) {
        try {
            long n = Long.parseLong(field.strip());
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw malformed(source, line, what + " '" + field.strip() + "' is not a number from 0 to " + max);
    }

    private static UsageException malformed(String source, int line, String why) {
        return new UsageException(source + " line " + line + ": " + why + "; nothing was reset");
    }
}
