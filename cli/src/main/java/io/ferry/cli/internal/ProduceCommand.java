package io.ferry.cli.internal;

import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicDescription;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferry produce}: one record per input line. The summary goes to standard error so standard
 * output stays free; the exit code is 1 when any record failed.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Send one record per line of standard input (or --file) to a topic.",
            "A summary (records sent, failed) goes to standard error; the exit code is 1 if any record failed."
        })
public final class ProduceCommand extends ClientCommand {

    /** Failures printed one per line before only the count is kept. */
    static final int MAX_ERRORS_SHOWN = 5;

    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic to write to.")
    String topic;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            description = "Read lines from this file instead of stdin.")
    Path file;

    @Mixin
    ProducerOptions producerOptions;

    static final class KeyChoice {
        @Option(
                names = {"-k", "--key"},
                paramLabel = "KEY",
                description = "The key of every record.")
        String key;

        @Option(
                names = "--key-separator",
                paramLabel = "SEP",
                description = "Each line is KEY SEP VALUE (split at the first SEP).")
        String keySeparator;
    }

    @ArgGroup(exclusive = true)
    KeyChoice keyChoice = new KeyChoice();

    @Option(
            names = {"-p", "--partition"},
            paramLabel = "N",
            description = "Write every record to this partition (default: by key hash, else sticky).")
    Integer partition;

    ProduceCommand(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws IOException {
        LineParser parser = new LineParser(keyChoice.key, keyChoice.keySeparator);
        ClientSettings settings = settings();
        Map<String, String> overrides = producerOptions.settings();
        ProducerConfig config = settings.producer(overrides);
        try (FerryAdmin admin = admin(settings)) {
            // Asking first turns a typo in the topic name into UNKNOWN_TOPIC now, not a send timeout later.
            TopicDescription description = describeTopic(admin, topic);
            partitions(description, partition);
        }
        PrintWriter err = err();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long lineNumber = 0;
        try (InputStream in = file == null ? environment.stdin() : Files.newInputStream(file);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                FerryProducer producer = new FerryProducer(config)) {
            long nextProgress = environment.ticker().nanoTime() + PROGRESS_NANOS;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                LineParser.KeyValue kv;
                try {
                    kv = parser.parse(line);
                } catch (UsageException e) {
                    reportFailure(err, failed.incrementAndGet(), "line " + lineNumber + ": " + e.getMessage());
                    continue;
                }
                long recordLine = lineNumber;
                producer.send(
                        new ProducerRecord(topic, partition, null, kv.key(), kv.value(), List.of()),
                        (metadata, exception) -> {
                            if (exception == null) {
                                acknowledged.incrementAndGet();
                            } else {
                                reportFailure(
                                        err,
                                        failed.incrementAndGet(),
                                        "line " + recordLine + ": " + ErrorReporter.describe(exception));
                            }
                        });
                sent++;
                long now = environment.ticker().nanoTime();
                if (now - nextProgress >= 0) {
                    err.println("... " + sent + " records sent, " + acknowledged.get() + " acknowledged, "
                            + failed.get() + " failed");
                    err.flush();
                    nextProgress = now + PROGRESS_NANOS;
                }
            }
            producer.flush();
        }
        err.println(summary(lineNumber, sent, acknowledged.get(), failed.get()));
        err.flush();
        return failed.get() == 0 ? ErrorReporter.OK : ErrorReporter.FAILURE;
    }

    private String summary(long lines, long sent, long acknowledged, long failed) {
        String s = "Read " + lines + " line(s), sent " + sent + " record(s) to topic " + topic + " (acks="
                + producerOptions.acks + "): ";
        if (producerOptions.acks.equals("0")) {
            s += "not acknowledged by the broker (acks=0)";
        } else {
            s += acknowledged + " acknowledged";
        }
        return s + ", " + failed + " failed.";
    }

    private static void reportFailure(PrintWriter err, long failures, String message) {
        if (failures <= MAX_ERRORS_SHOWN) {
            err.println("error: " + message);
        } else if (failures == MAX_ERRORS_SHOWN + 1) {
            err.println("error: more records failed; only the count is shown from now on");
        }
        err.flush();
    }
}
