package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.client.FetchedBatch;
import io.ferry.client.FetchedBatches;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import io.ferry.client.TopicPartition;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.record.CorruptBatchException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferry topic dump}: a partition's batches as its leader stores them, read through
 * {@link FerryAdmin#fetchBatches} from a start offset up to the high watermark seen at the start, in
 * {@code kafka-dump-log}'s style ({@link BatchFormat}). A batch or record that cannot be decoded is
 * marked with the reason and the dump goes on after it; it stops with an error only where nothing says
 * where a bad batch ends.
 */
@Command(
        name = "dump",
        mixinStandardHelpOptions = true,
        description = {
            "Print a partition's batches as stored (as kafka-dump-log does), read from its leader: "
                    + "header fields, CRC validity and, with --records, each record. Every record is decoded, so "
                    + "batches and records that cannot be are marked with the reason."
        })
public final class TopicDumpCommand extends ClientCommand {

    @Mixin
    TopicOption topic;

    @Option(
            names = {"-p", "--partition"},
            required = true,
            paramLabel = "N",
            description = "Partition to dump.")
    int partition;

    @Option(
            names = {"-o", "--offset"},
            paramLabel = "N",
            description = "Start at the batch holding this offset (default: the log start offset).")
    Long offset;

    @Option(names = "--max-batches", paramLabel = "N", description = "Stop after N batches.")
    Long maxBatches;

    @Option(
            names = {"--records", "--deep-iteration"},
            description = "Print each record of each batch.")
    boolean records;

    @Option(
            names = {"--print-data", "--print-data-log"},
            description = "With each record, print its key and value (the first " + BatchFormat.PRINTED_BYTES
                    + " bytes, escaped); implies --records.")
    boolean printData;

    @Option(
            names = "--fetch-bytes",
            defaultValue = "1048576",
            paramLabel = "BYTES",
            description = "Bytes asked for per fetch (at least one batch comes whatever its size; default: 1 MiB).")
    int fetchBytes;

    /** What was dumped, for the summary line. */
    private long batchCount;

    private long recordCount;
    private long undecodable;
    /** The offset after the last batch printed whose end is known. */
    private long dumpedTo;

    TopicDumpCommand(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        if (offset != null && offset < 0 || maxBatches != null && maxBatches < 1 || fetchBytes < 1) {
            throw new UsageException("--offset must be >= 0, --max-batches and --fetch-bytes positive");
        }
        PrintWriter out = out();
        try (FerryAdmin admin = admin(settings())) {
            TopicDescription description = describeTopic(admin, topic.name);
            TopicPartition tp = new TopicPartition(
                    topic.name, partitions(description, partition).get(0));
            long start = offset != null
                    ? offset
                    : admin.listOffsets(Map.of(tp, FerryAdmin.EARLIEST)).get(tp).offset();
            FetchedBatches fetched = admin.fetchBatches(tp, start, fetchBytes);
            long end = fetched.highWatermark();
            out.println("Dumping " + tp + " from offset " + start + " (leader " + leader(description) + ", log start "
                    + fetched.logStartOffset() + ", high watermark " + end + ")");
            dumpedTo = start;
            while (!fetched.batches().isEmpty() && !enough()) {
                print(fetched, out);
                if (enough()) {
                    break;
                }
                long next = continueAfter(fetched, out);
                if (next >= end) {
                    break;
                }
                fetched = admin.fetchBatches(tp, next, fetchBytes);
            }
            out.flush();
            err().println("Dumped " + batchCount + " batch(es), " + recordCount + " record(s) of " + tp
                    + " from offset " + start + " to " + dumpedTo + "; " + undecodable
                    + " batch(es) could not be decoded.");
            err().flush();
        }
        return ErrorReporter.OK;
    }

    private boolean enough() {
        return maxBatches != null && batchCount >= maxBatches;
    }

    private int leader(TopicDescription description) {
        return description.partitions().stream()
                .filter(p -> p.partition() == partition)
                .mapToInt(PartitionInfo::leader)
                .findFirst()
                .orElse(-1);
    }

    /**
     * Prints the batches of one fetch, up to {@code --max-batches}. Every framed batch's records are
     * decoded, printed or not, so one that cannot be decoded is marked even without {@code --records}.
     */
    private void print(FetchedBatches fetched, PrintWriter out) {
        boolean printRecords = records || printData;
        for (FetchedBatch batch : fetched.batches()) {
            if (enough()) {
                return;
            }
            batchCount++;
            if (batch.nextOffset() >= 0) {
                dumpedTo = batch.nextOffset();
            }
            boolean bad = batch.problem() != null;
            out.println(BatchFormat.batch(batch));
            if (batch.framed()) {
                try {
                    batch.readRecords(r -> {
                        recordCount++;
                        if (printRecords) {
                            out.println(BatchFormat.record(batch.batch(), r, printData));
                        }
                    });
                } catch (CorruptBatchException e) {
                    out.println(BatchFormat.undecodable(e));
                    bad = true;
                }
            }
            if (bad) {
                undecodable++;
            }
        }
    }

    /** Where the next fetch starts; an error when nothing says where the last batch ends. */
    private static long continueAfter(FetchedBatches fetched, PrintWriter out) {
        long next = fetched.nextFetchOffset();
        if (next > fetched.fetchOffset()) {
            return next;
        }
        out.flush();
        FetchedBatch last = fetched.batches().get(fetched.batches().size() - 1);
        throw new FerryException(
                ErrorCode.CORRUPT_BATCH,
                next < 0
                        ? "cannot go past the batch at offset " + last.baseOffset() + " of " + fetched.partition()
                                + ": nothing says where it ends; dump again from a later --offset"
                        : "the leader answered offset " + fetched.fetchOffset() + " of " + fetched.partition()
                                + " with batches that end at " + next + "; stopping");
    }
}
