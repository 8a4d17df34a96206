package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferry perf produce}, after Kafka's ProducerPerformance: sends {@code --num-records}
 * records of one payload (random letters made once, or lines of {@code --payload-file}), paced to
 * {@code --throughput}, and measures each record's latency from {@code send()} to its
 * acknowledgement. Progress every 5 s; the final line adds percentiles. Records have no key unless
 * {@code --key-space} gives them keys from a seeded sequence ({@link KeySpace}), for a compacted topic.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Producer throughput and send-to-ack latency (like kafka-producer-perf-test).")
final class PerfProduce extends ClientCommand {

    static final long PROGRESS_SECONDS = 5;

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic to write to.")
    String topic;

    @Option(names = "--num-records", required = true, paramLabel = "N", description = "Records to send.")
    long numRecords;

    static final class Payload {
        @Option(names = "--record-size", paramLabel = "BYTES", description = "Size of each record's value.")
        Integer recordSize;

        @Option(
                names = "--payload-file",
                paramLabel = "FILE",
                description = "Values are this file's lines, picked at random.")
        Path payloadFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Payload payload;

    @Option(
            names = "--throughput",
            defaultValue = "-1",
            paramLabel = "N",
            description = "Records per second to aim at; -1 for as fast as possible (default).")
    double throughput;

    @Option(
            names = "--key-space",
            paramLabel = "N",
            description = "Give each record a key drawn uniformly from N distinct keys (key-00000000 ...),"
                    + " the same sequence every run (seeded); default: no key.")
    Integer keySpace;

    @Mixin
    ProducerOptions producerOptions;

    @Option(
            names = "--producer-prop",
            paramLabel = "KEY=VALUE",
            description = "Any other producer setting, repeatable (e.g. buffer.memory=67108864).")
    Map<String, String> producerProps = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print the final summary as one JSON object on stdout.")
    boolean json;

    PerfProduce(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (numRecords < 1) {
            throw new UsageException("--num-records must be positive");
        }
        if (keySpace != null && keySpace < 1) {
            throw new UsageException("--key-space must be positive");
        }
        KeySpace keys = keySpace == null ? null : new KeySpace(keySpace, KeySpace.SEED);
        List<byte[]> payloads = payloads();
        ClientSettings settings = settings();
        Map<String, String> overrides = producerOptions.settings();
        overrides.putAll(producerProps);
        ProducerConfig config = settings.producer(overrides); // a bad setting is reported before any connection
        try (FerryAdmin admin = admin(settings)) {
            describeTopic(admin, topic);
        }

        PrintWriter progressOut = json ? err() : out();
        Recorder recorder = new Recorder(LatencyStats.PRECISION);
        Histogram total = LatencyStats.newHistogram();
        AtomicLong acked = new AtomicLong();
        AtomicLong ackedBytes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Ticker ticker = environment.ticker();
        Random random = new Random();
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-perf-progress");
            t.setDaemon(true);
            return t;
        });
        long start;
        long end;
        try (FerryProducer producer = new FerryProducer(config)) {
            start = ticker.nanoTime();
            long[] windowStart = {start};
            progress.scheduleAtFixedRate(
                    () -> {
                        Histogram window = recorder.getIntervalHistogram();
                        total.add(window);
                        long now = ticker.nanoTime();
                        // Window bytes are estimated from the mean payload size (exact with one payload); the
                        // final line uses the exact count of acknowledged bytes.
                        long bytes = window.getTotalCount() * averageSize(payloads);
                        progressOut.println(PerfFormat.produceLine(
                                window.getTotalCount(), bytes, now - windowStart[0], LatencyStats.of(window), false));
                        progressOut.flush();
                        windowStart[0] = now;
                    },
                    PROGRESS_SECONDS,
                    PROGRESS_SECONDS,
                    TimeUnit.SECONDS);
            Pacer pacer = new Pacer(ticker, throughput);
            for (long i = 0; i < numRecords; i++) {
                byte[] value = payloads.size() == 1 ? payloads.get(0) : payloads.get(random.nextInt(payloads.size()));
                byte[] key = keys == null ? null : keys.next();
                pacer.awaitTurn(i);
                long sentAt = ticker.nanoTime();
                producer.send(new ProducerRecord(topic, key, value), (metadata, exception) -> {
                    if (exception == null) {
                        recorder.recordValue(Math.max(0, (ticker.nanoTime() - sentAt) / 1000));
                        acked.incrementAndGet();
                        ackedBytes.addAndGet(value.length);
                    } else {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, exception);
                    }
                });
            }
            producer.flush();
            end = ticker.nanoTime();
        } finally {
            progress.shutdownNow();
            progress.awaitTermination(10, TimeUnit.SECONDS);
        }
        total.add(recorder.getIntervalHistogram());
        LatencyStats stats = LatencyStats.of(total);
        if (json) {
            out().println(PerfFormat.produceJson(acked.get(), errors.get(), ackedBytes.get(), end - start, stats));
        } else {
            out().println(PerfFormat.produceLine(acked.get(), ackedBytes.get(), end - start, stats, true));
        }
        out().flush();
        if (errors.get() > 0) {
            return failed(errors.get() + " of " + numRecords + " records failed; first: "
                    + ErrorReporter.describe(firstError.get()));
        }
        return ErrorReporter.OK;
    }

    /**
     * One payload of random capital letters, made once, as Kafka's tool does (random but
     * compressible as text is), or every line of the payload file.
     */
    private List<byte[]> payloads() throws IOException {
        if (payload.payloadFile != null) {
            List<byte[]> lines = Files.readAllLines(payload.payloadFile, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isEmpty())
                    .map(l -> l.getBytes(StandardCharsets.UTF_8))
                    .toList();
            if (lines.isEmpty()) {
                throw new UsageException("--payload-file " + payload.payloadFile + " has no non-empty line");
            }
            return lines;
        }
        int size = payload.recordSize;
        if (size < 0 || size > 64 * 1024 * 1024) {
            throw new UsageException("--record-size must be between 0 and 67108864 bytes");
        }
        byte[] value = new byte[size];
        Random random = new Random();
        for (int i = 0; i < size; i++) {
            value[i] = (byte) ('A' + random.nextInt(26));
        }
        return List.of(value);
    }

    private static long averageSize(List<byte[]> payloads) {
        return (long) payloads.stream().mapToInt(p -> p.length).average().orElse(0);
    }
}
