package io.ferry.cli.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.ConsumerRecords;
import io.ferry.client.CorruptRecordBatchException;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryException;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.OffsetAndTimestamp;
import io.ferry.client.TopicDescription;
import io.ferry.client.TopicPartition;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry consume}: records to standard output, one per line, flushed after every poll so a
 * pipe sees them at once; the count goes to standard error at the end.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Print a topic's records to standard output, one per line.",
            "Starts at the end (new records only) unless --from-beginning, --offset or --timestamp says "
                    + "otherwise; runs until --max-messages, --timeout-ms of silence, or Ctrl-C.",
            "With --group, reads the partitions the group gives this member from the group's committed offsets "
                    + "(--from-beginning: where the group has none), committing what it printed as it goes."
        })
public final class ConsumeCommand extends ClientCommand {

    private static final Duration POLL = Duration.ofMillis(200);

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic to read.")
    String topic;

    static final class Start {
        @Option(names = "--from-beginning", description = "Start at the oldest record.")
        boolean fromBeginning;

        @Option(
                names = "--offset",
                paramLabel = "N",
                description = "Start at this offset (in every partition read; usually with --partition).")
        Long offset;

        @Option(
                names = "--timestamp",
                paramLabel = "TIME",
                converter = Converters.TimestampConverter.class,
                description = "Start at the first record at or after this time: ms since the epoch or ISO-8601 "
                        + "(2026-11-22T10:15:30Z).")
        Long timestamp;
    }

    @ArgGroup(exclusive = true)
    Start start = new Start();

    @Option(
            names = {"-g", "--group"},
            paramLabel = "GROUP",
            description =
                    "Consume as a member of this consumer group (not with --partition, --offset or " + "--timestamp).")
    String group;

    @Option(
            names = {"-p", "--partition"},
            paramLabel = "N",
            description = "Read only this partition.")
    Integer partition;

    @Option(
            names = {"-n", "--max-messages"},
            paramLabel = "N",
            description = "Stop after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Stop after MS milliseconds without a record.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print each record's key.")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print each record's offset.")
    boolean printOffset;

    @Option(names = "--print-partition", description = "Print each record's partition.")
    boolean printPartition;

    @Option(names = "--print-timestamp", description = "Print each record's timestamp (ISO-8601, UTC).")
    boolean printTimestamp;

    @Option(
            names = "--separator",
            defaultValue = "\t",
            paramLabel = "SEP",
            description = "Between printed fields (default: a tab).")
    String separator;

    @Option(
            names = "--skip-corrupt",
            description = "Skip a batch that cannot be decoded (a log written before brokers validated records may "
                    + "hold one), saying on stderr which offsets were skipped; without it such a batch stops the "
                    + "command with its offsets.")
    boolean skipCorrupt;

    ConsumeCommand(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        if (start.offset != null && start.offset < 0) {
            throw new UsageException("--offset must be >= 0");
        }
        if (maxMessages != null && maxMessages < 1 || timeoutMs != null && timeoutMs < 0) {
            throw new UsageException("--max-messages must be positive and --timeout-ms not negative");
        }
        if (group != null && (partition != null || start.offset != null || start.timestamp != null)) {
            throw new UsageException("--group reads where the group is: not with --partition, --offset or --timestamp");
        }
        ClientSettings settings = settings();
        List<TopicPartition> assigned = new ArrayList<>();
        try (FerryAdmin admin = admin(settings)) {
            TopicDescription description = describeTopic(admin, topic);
            partitions(description, partition).forEach(p -> assigned.add(new TopicPartition(topic, p)));
        }
        RecordFormat format = new RecordFormat(printTimestamp, printPartition, printOffset, printKey, separator);
        PrintWriter out = out();
        long count = 0;
        long skipped = 0;
        try (FerryConsumer consumer = new FerryConsumer(settings.consumer(consumerOverrides()))) {
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(assigned);
                position(consumer, assigned);
            }
            Ticker ticker = environment.ticker();
            long idleSince = ticker.nanoTime();
            while (maxMessages == null || count < maxMessages) {
                ConsumerRecords records;
                try {
                    records = consumer.poll(POLL);
                } catch (CorruptRecordBatchException e) {
                    skip(consumer, e);
                    skipped++;
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> printed = new HashMap<>();
                for (ConsumerRecord record : records) {
                    out.println(format.format(record));
                    printed.put(record.topicPartition(), new OffsetAndMetadata(record.offset() + 1, ""));
                    if (++count == (maxMessages == null ? -1 : maxMessages)) {
                        break;
                    }
                }
                out.flush();
                if (group != null) {
                    consumer.commitSync(printed);
                }
                if (out.checkError()) {
                    break; // the reader went away (e.g. "| head"): stop quietly, as cat does
                }
                long now = ticker.nanoTime();
                if (!records.isEmpty()) {
                    idleSince = now;
                } else if (timeoutMs != null && now - idleSince >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                    break;
                }
            }
        }
        err().println("Processed a total of " + count + " message(s)"
                + (skipped == 0 ? "." : ", skipped " + skipped + " batch(es) that could not be decoded."));
        err().flush();
        return ErrorReporter.OK;
    }

    /**
     * With {@code --group} the command commits what it printed itself (auto-commit would also commit records a
     * poll returned past {@code --max-messages}); where the group has no offset, it starts at the end unless
     * {@code --from-beginning}.
     */
    private Map<String, String> consumerOverrides() {
        if (group != null) {
            return Map.of(
                    ConsumerConfig.GROUP_ID,
                    group,
                    ConsumerConfig.ENABLE_AUTO_COMMIT,
                    "false",
                    ConsumerConfig.AUTO_OFFSET_RESET,
                    start.fromBeginning ? "earliest" : "latest");
        }
        // An explicit --offset that does not exist is an error to report, not a reason to jump to the end.
        return Map.of(ConsumerConfig.AUTO_OFFSET_RESET, start.offset != null ? "none" : "latest");
    }

    /**
     * Skips the batch with {@code --skip-corrupt}, saying so on stderr; otherwise (or when nothing says where
     * it ends) it is the command's error.
     */
    private void skip(FerryConsumer consumer, CorruptRecordBatchException e) {
        if (e.nextOffset() < 0) {
            throw e;
        }
        if (!skipCorrupt) {
            throw new FerryException(
                    e.code(),
                    e.description() + "; rerun with --skip-corrupt to skip it (or with"
                            + " --partition " + e.partition().partition() + " --offset " + e.nextOffset()
                            + " to start after it)",
                    e);
        }
        out().flush();
        err().println("Skipped offsets " + e.baseOffset() + ".." + e.lastOffset() + " of partition "
                + e.partition().partition() + ": a batch that cannot be decoded (" + e.problem() + ": "
                + e.getCause().getMessage() + ")");
        err().flush();
        consumer.seek(e.partition(), e.nextOffset());
    }

    private void position(FerryConsumer consumer, List<TopicPartition> assigned) {
        if (start.fromBeginning) {
            consumer.seekToBeginning(assigned);
        } else if (start.offset != null) {
            assigned.forEach(tp -> consumer.seek(tp, start.offset));
        } else if (start.timestamp != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            assigned.forEach(tp -> query.put(tp, start.timestamp));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            List<TopicPartition> none = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    none.add(tp); // nothing at or after the time yet: wait for new records
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
            consumer.seekToEnd(none);
        } else {
            consumer.seekToEnd(assigned);
        }
    }
}
