package io.ferry.cli.internal;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryProducer;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry perf e2e}: produce-to-consume latency at a fixed, moderate rate. A producer thread
 * stamps {@code System.nanoTime()} (via the {@link Ticker}) and a sequence number into each value
 * and sends with {@code linger.ms=0}; the consumer, in this process and so on the same clock,
 * records now minus the stamp. The records of the first {@value #WARMUP_SECONDS} seconds warm up
 * and are not counted (at least 10% of them, at most 500, as in the Kafka peer tool, and never more
 * than half): the JIT compiles the client and gRPC paths for several seconds, and on a small
 * machine its threads compete with producer, consumer and broker, so the first seconds measure the
 * compiler rather than the path.
 */
@Command(
        name = "e2e",
        mixinStandardHelpOptions = true,
        description = "End-to-end latency: producer send to consumer receipt, at a fixed rate, in microseconds.")
final class PerfE2e extends ClientCommand {

    /** Nanosecond stamp, then sequence number. */
    static final int HEADER_BYTES = 16;

    private static final long MIN_WARMUP_CAP = 500;
    static final int WARMUP_SECONDS = 5;

    @Option(
            names = {"-t", "--topic"},
            required = true,
            paramLabel = "NAME",
            description = "Topic to use.")
    String topic;

    @Option(
            names = "--num-records",
            defaultValue = "10000",
            paramLabel = "N",
            description = "Records to send (default: ${DEFAULT-VALUE}).")
    long numRecords;

    @Option(
            names = "--rate",
            defaultValue = "1000",
            paramLabel = "N",
            description = "Records per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--record-size",
            defaultValue = "100",
            paramLabel = "BYTES",
            description = "Value size, at least " + HEADER_BYTES + " (default: ${DEFAULT-VALUE}).")
    int recordSize;

    @Option(
            names = "--acks",
            defaultValue = "all",
            converter = Converters.AcksConverter.class,
            description = "0, 1 or all (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(
            names = "--timeout-ms",
            defaultValue = "10000",
            paramLabel = "MS",
            description = "Give up after this long without a record (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    PerfE2e(Environment environment) {
        super(environment);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (numRecords < 1 || rate <= 0 || recordSize < HEADER_BYTES || recordSize > 1024 * 1024) {
            throw new UsageException("--num-records and --rate must be positive, --record-size between " + HEADER_BYTES
                    + " and 1048576");
        }
        ClientSettings settings = settings();
        List<TopicPartition> partitions;
        try (FerryAdmin admin = admin(settings)) {
            partitions = describeTopic(admin, topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
        }
        long warmup = warmupRecords(numRecords, rate);
        Ticker ticker = environment.ticker();
        Histogram histogram = LatencyStats.newHistogram();
        AtomicLong sendErrors = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long received = 0;
        try (FerryConsumer consumer =
                        new FerryConsumer(settings.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET, "latest")));
                FerryProducer producer = new FerryProducer(
                        settings.producer(Map.of(ProducerConfig.ACKS, acks, ProducerConfig.LINGER_MS, "0")))) {
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start before the first record is sent
            Thread sender = new Thread(() -> produce(producer, ticker, sendErrors, firstError), "ferry-e2e-producer");
            sender.setDaemon(true);
            sender.start();
            long lastReceipt = ticker.nanoTime();
            long nextProgress = lastReceipt + TimeUnit.SECONDS.toNanos(PerfProduce.PROGRESS_SECONDS);
            try {
                while (received < numRecords) {
                    long now = ticker.nanoTime();
                    for (ConsumerRecord r : consumer.poll(Duration.ofMillis(100))) {
                        long at = ticker.nanoTime();
                        if (r.value() == null || r.value().length < HEADER_BYTES) {
                            continue; // not ours
                        }
                        ByteBuffer value = ByteBuffer.wrap(r.value());
                        long stamp = value.getLong();
                        long sequence = value.getLong();
                        received++;
                        if (sequence >= warmup) {
                            histogram.recordValue(Math.max(0, (at - stamp) / 1000));
                        }
                        lastReceipt = at;
                    }
                    now = ticker.nanoTime();
                    if (now - lastReceipt >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                        break;
                    }
                    if (now - nextProgress >= 0) {
                        (json ? err() : out()).println("... " + received + " of " + numRecords + " records received");
                        (json ? err() : out()).flush();
                        nextProgress = now + TimeUnit.SECONDS.toNanos(PerfProduce.PROGRESS_SECONDS);
                    }
                }
            } finally {
                sender.interrupt();
                sender.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        LatencyStats stats = LatencyStats.of(histogram);
        long lost = numRecords - received;
        out().println(
                        json
                                ? PerfFormat.e2eJson(stats, rate, acks, warmup, lost)
                                : PerfFormat.e2eLine(stats, rate, acks, warmup));
        out().flush();
        if (lost > 0 || sendErrors.get() > 0) {
            return failed(received + " of " + numRecords + " records read back, " + sendErrors.get()
                    + " send failures"
                    + (firstError.get() == null ? "" : "; first: " + ErrorReporter.describe(firstError.get())));
        }
        return ErrorReporter.OK;
    }

    /** Records not counted: those of the first {@value #WARMUP_SECONDS} s at {@code rate}, bounded as the class says. */
    static long warmupRecords(long numRecords, double rate) {
        long byTime = (long) Math.min(Long.MAX_VALUE / 2, Math.ceil(rate * WARMUP_SECONDS));
        return Math.min(numRecords / 2, Math.max(Math.min(MIN_WARMUP_CAP, numRecords / 10), byTime));
    }

    private void produce(FerryProducer producer, Ticker ticker, AtomicLong errors, AtomicReference<Exception> first) {
        Pacer pacer = new Pacer(ticker, rate);
        try {
            for (long i = 0; i < numRecords; i++) {
                pacer.awaitTurn(i);
                byte[] value = new byte[recordSize];
                ByteBuffer.wrap(value).putLong(ticker.nanoTime()).putLong(i);
                producer.send(new ProducerRecord(topic, null, value), (metadata, exception) -> {
                    if (exception != null) {
                        errors.incrementAndGet();
                        first.compareAndSet(null, exception);
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            first.compareAndSet(null, e);
        }
    }
}
