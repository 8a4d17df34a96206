package io.ferry.cli.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.ConsumerRecords;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.TopicPartition;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry perf consume}, after Kafka's ConsumerPerformance: reads {@code --num-records}
 * records from every partition of a topic and reports records/s, MB/s (key + value bytes) and the
 * number of polls that returned records (each fetch response feeds several polls of at most
 * max.poll.records). Time runs from the first poll to the last
 * record, so a final idle wait does not dilute the rates.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = "Consumer throughput (like kafka-consumer-perf-test).")
final class PerfConsume extends ClientCommand {

    private static final Duration POLL = Duration.ofMillis(100);

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic to read.")
    String topic;

    @Option(names = "--num-records", required = true, paramLabel = "N", description = "Records to read.")
    long numRecords;

    @Option(
            names = "--timeout-ms",
            defaultValue = "10000",
            paramLabel = "MS",
            description = "Give up after this long without a record (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--from-beginning", description = "Start at the oldest record (default: only new records).")
    boolean fromBeginning;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    PerfConsume(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() {
        if (numRecords < 1 || timeoutMs < 0) {
            throw new UsageException("--num-records must be positive and --timeout-ms not negative");
        }
        ClientSettings settings = settings();
        List<TopicPartition> partitions;
        try (FerryAdmin admin = admin(settings)) {
            partitions = describeTopic(admin, topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
        }
        PrintWriter progressOut = json ? err() : out();
        Ticker ticker = environment.ticker();
        long records = 0;
        long bytes = 0;
        long polls = 0;
        long start;
        long last;
        try (FerryConsumer consumer = new FerryConsumer(
                settings.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET, fromBeginning ? "earliest" : "latest")))) {
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            start = ticker.nanoTime();
            last = start;
            long nextProgress = start + TimeUnit.SECONDS.toNanos(PerfProduce.PROGRESS_SECONDS);
            long windowRecords = 0;
            long windowBytes = 0;
            long windowStart = start;
            while (records < numRecords) {
                ConsumerRecords batch = consumer.poll(POLL);
                long now = ticker.nanoTime();
                if (!batch.isEmpty()) {
                    polls++;
                    for (ConsumerRecord r : batch) {
                        long size = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                        records++;
                        bytes += size;
                        windowRecords++;
                        windowBytes += size;
                    }
                    last = now;
                } else if (now - last >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                    break;
                }
                if (now - nextProgress >= 0) {
                    progressOut.println(PerfFormat.consumeLine(windowRecords, windowBytes, now - windowStart, polls));
                    progressOut.flush();
                    windowRecords = 0;
                    windowBytes = 0;
                    windowStart = now;
                    nextProgress = now + TimeUnit.SECONDS.toNanos(PerfProduce.PROGRESS_SECONDS);
                }
            }
        }
        out().println(
                        json
                                ? PerfFormat.consumeJson(records, bytes, last - start, polls)
                                : PerfFormat.consumeLine(records, bytes, last - start, polls));
        out().flush();
        if (records < numRecords) {
            return failed("only " + records + " of " + numRecords + " records arrived before " + timeoutMs
                    + " ms passed without a record");
        }
        return ErrorReporter.OK;
    }
}
