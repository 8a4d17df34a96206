package io.ferry.cli.internal;

import io.ferry.client.BrokerInfo;
import io.ferry.client.ClusterDescription;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Renders the cluster view of {@code ferry cluster}: brokers and their state, the active
 * controller, and every partition's leader, leader epoch, replicas and ISR, with under-replicated
 * and offline partitions marked (and coloured when {@code ansi}). The output depends only on the
 * metadata, so a redraw that prints nothing new is recognisable by string equality.
 */
public final class ClusterReport {

    private static final String RED = "\u001b[31;1m";
    private static final String YELLOW = "\u001b[33m";
    private static final String GREEN = "\u001b[32m";
    private static final String RESET = "\u001b[0m";

    private ClusterReport() {}

    public static String render(ClusterDescription cluster, Collection<TopicDescription> topics, boolean ansi) {
        StringBuilder sb = new StringBuilder();
        int fenced = (int) cluster.brokers().stream().filter(BrokerInfo::fenced).count();
        sb.append("Active controller: ")
                .append(cluster.controllerLeaderId() < 0 ? paint("none", RED, ansi) : cluster.controllerLeaderId())
                .append("    Metadata version: ")
                .append(cluster.metadataVersion())
                .append('\n');
        sb.append('\n');
        List<String[]> brokerRows = new ArrayList<>();
        brokerRows.add(new String[] {"BROKER", "ENDPOINT", "STATE"});
        for (BrokerInfo b : cluster.brokers()) {
            brokerRows.add(
                    new String[] {Integer.toString(b.id()), b.host() + ":" + b.port(), b.fenced() ? "FENCED" : "alive"
                    });
        }
        table(sb, brokerRows, row -> "FENCED".equals(row[2]) ? YELLOW : null, ansi);
        sb.append('\n');

        List<String[]> partitionRows = new ArrayList<>();
        partitionRows.add(new String[] {"TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "STATUS"});
        int partitions = 0;
        int under = 0;
        int offline = 0;
        for (TopicDescription t : topics) {
            for (PartitionInfo p : t.partitions()) {
                PartitionStatus status = PartitionStatus.of(p);
                partitions++;
                under += status == PartitionStatus.UNDER_REPLICATED ? 1 : 0;
                offline += status == PartitionStatus.OFFLINE ? 1 : 0;
                partitionRows.add(new String[] {
                    t.name(),
                    Integer.toString(p.partition()),
                    p.leader() < 0 ? "none" : Integer.toString(p.leader()),
                    Integer.toString(p.leaderEpoch()),
                    TopicFormat.ids(p.replicas()),
                    TopicFormat.ids(p.isr()),
                    status.label()
                });
            }
        }
        if (partitions == 0) {
            sb.append("No topics.\n");
        } else {
            table(
                    sb,
                    partitionRows,
                    row -> switch (row[6]) {
                        case "OFFLINE" -> RED;
                        case "UNDER-REPLICATED" -> YELLOW;
                        default -> null;
                    },
                    ansi);
        }
        sb.append('\n');
        String summary = cluster.brokers().size() + " broker(s) (" + fenced + " fenced), " + topics.size()
                + " topic(s), " + partitions + " partition(s): " + under + " under-replicated, " + offline
                + " offline";
        String colour = offline > 0 ? RED : under > 0 || fenced > 0 ? YELLOW : GREEN;
        sb.append(paint(summary, colour, ansi)).append('\n');
        return sb.toString();
    }

    private static String paint(Object text, String colour, boolean ansi) {
        return ansi && colour != null ? colour + text + RESET : String.valueOf(text);
    }

    private interface RowColour {
        String of(String[] row);
    }

    /** Left-aligned columns two spaces apart; colour codes wrap whole lines so widths stay right. */
    private static void table(StringBuilder sb, List<String[]> rows, RowColour colour, boolean ansi) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            sb.append(paint(line, r == 0 ? null : colour.of(row), ansi)).append('\n');
        }
    }
}
