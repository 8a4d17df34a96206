package io.ferry.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the tables {@code ferry cluster} prints, as a user reads them: the broker table (ID, ENDPOINT,
 * STATE) and the partition rows of the topic {@value #TOPIC}, the walkthroughs' topic with three
 * partitions.
 */
final class ClusterTable {

    static final String TOPIC = "orders";

    /** A row of the partition table. */
    record Partition(String leader, String isr, String status) {}

    private static final Pattern PARTITION_ROW =
            Pattern.compile("(?m)^" + TOPIC + "\\s+(\\d+)\\s+(\\S+)\\s+\\d+\\s+\\S+\\s+(\\S+)\\s+(\\S+)\\s*$");

    private ClusterTable() {}

    /** The rows of {@value #TOPIC}'s partitions by partition; none when the command failed. */
    static Map<Integer, Partition> partitions(Shell.Result cluster) {
        Map<Integer, Partition> rows = new TreeMap<>();
        if (cluster.exitCode() != 0) {
            return rows;
        }
        Matcher m = PARTITION_ROW.matcher(cluster.output());
        while (m.find()) {
            rows.put(Integer.parseInt(m.group(1)), new Partition(m.group(2), m.group(3), m.group(4)));
        }
        return rows;
    }

    /** All three partitions of {@value #TOPIC} have a leader and a full ISR. */
    static boolean everyPartitionOk(Shell.Result cluster) {
        Map<Integer, Partition> rows = partitions(cluster);
        return rows.size() == 3
                && rows.values().stream().allMatch(p -> p.status().equals("ok"));
    }

    static List<Integer> partitionsLedBy(Shell.Result cluster, String broker) {
        return partitions(cluster).entrySet().stream()
                .filter(e -> e.getValue().leader().equals(broker))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(ArrayList::new));
    }

    /** The STATE column (alive / FENCED) of a broker in the broker table. */
    static Optional<String> brokerState(Shell.Result cluster, String id) {
        Matcher m = Pattern.compile("(?m)^" + id + "\\s+\\S+\\s+(\\S+)\\s*$").matcher(cluster.output());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
