package io.ferry.systemtests;

import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRebalanceListener;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.ConsumerRecords;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryException;
import io.ferry.client.TopicPartition;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The program of one consumer-group member process that {@link GroupMemberProcess} starts: it subscribes to a
 * topic as a member of a group and "processes" each record by appending a {@link ProcessedRecord} line to its
 * file, flushed to the operating system (which keeps it through a {@code kill -9} of this JVM), before it
 * commits. Every poll is followed by {@code commitSync()} of the positions (auto-commit is off), so the records
 * it processed but did not commit (the uncommitted window a crash replays) are at most one poll's, or those of
 * a poll whose commit failed. A failed commit is reported on stderr and not retried, as an application would:
 * the next poll's commit covers it.
 *
 * <p>Throttled by a pause between writing a poll's records and committing them, the time the processing of a
 * real application takes: the group drains slowly enough for a test to kill things meanwhile, and a member
 * killed is most likely killed inside its uncommitted window, which its partitions' next owner replays. Runs until
 * its standard input ends (the test closes it, or the test's JVM died), then closes the consumer, which
 * leaves the group; or after its lifetime, so that it never outlives a lost test by much.
 *
 * <p>Arguments: bootstrap servers, group id, topic, output file, client id, max.poll.records, pause between
 * a poll's write and its commit in ms, lifetime in s.
 */
final class RecordingGroupMember {

    private static final Duration POLL = Duration.ofMillis(200);

    private RecordingGroupMember() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 8) {
            System.err.println("arguments: bootstrap group topic file client-id max-poll-records pause-ms lifetime-s");
            System.exit(2);
        }
        String topic = args[2];
        Path file = Path.of(args[3]);
        long pauseMs = Long.parseLong(args[6]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[7]));
        AtomicBoolean stdinEnded = watchEndOf(System.in);
        long processed = 0;
        long failedCommits = 0;
        try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS, args[0],
                        ConsumerConfig.GROUP_ID, args[1],
                        ConsumerConfig.CLIENT_ID, args[4],
                        ConsumerConfig.ENABLE_AUTO_COMMIT, "false",
                        ConsumerConfig.AUTO_OFFSET_RESET, "earliest",
                        ConsumerConfig.MAX_POLL_RECORDS, args[5],
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS, "30000")));
                Writer out = Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            consumer.subscribe(List.of(topic), new LoggingListener());
            log("subscribed to " + topic + " in group " + args[1] + " as " + args[4]);
            while (!stdinEnded.get() && System.nanoTime() - deadline < 0) {
                ConsumerRecords records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord r : records) {
                    out.write(new ProcessedRecord(
                                            r.partition(),
                                            r.offset(),
                                            new String(r.value(), StandardCharsets.UTF_8),
                                            now)
                                    .line()
                            + "\n");
                    processed++;
                }
                out.flush();
                Thread.sleep(pauseMs); // the processing time this process stands for, not a wait for a condition
                try {
                    consumer.commitSync();
                } catch (FerryException e) {
                    failedCommits++;
                    log("commit failed (the next poll's commit covers it): " + e);
                }
            }
            log("stopping: processed " + processed + " record(s), " + failedCommits + " commit(s) failed"
                    + (stdinEnded.get() ? "" : "; its lifetime ran out"));
        }
    }

    /** A line of this member's log, with the time, to read beside the nodes' logs. */
    private static void log(String line) {
        System.out.println(Instant.now() + " " + line);
    }

    /** Logs each change of the member's partitions. */
    private static final class LoggingListener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            log("revoked " + partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log("assigned " + partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log("lost " + partitions);
        }
    }

    /** A daemon thread that reads {@code in} to its end and then sets the flag it returns. */
    private static AtomicBoolean watchEndOf(InputStream in) {
        AtomicBoolean ended = new AtomicBoolean();
        Thread t = new Thread(
                () -> {
                    try {
                        while (in.read() != -1) {
                            // nothing is expected on stdin; only its end means something
                        }
                    } catch (IOException e) {
                        // a broken stdin ends it too
                    }
                    ended.set(true);
                },
                "stdin-watch");
        t.setDaemon(true);
        t.start();
        return ended;
    }
}
