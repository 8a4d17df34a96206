// Issue 19's sustained run: one acks=all producer paced at a fixed rate for a fixed time, and one consumer
// reading the topic from its start and keeping up, as real users read what they write.
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerrySustained.java <bootstrap> <topic> <seconds> <rate> <recordSize> <batchSize> <lingerMs> <warmupSeconds>
// The topic must exist with one partition. Records go to partition 0 without a key, values from a pool of
// random bytes. The producer sends the records due by the clock (rate per second, from the start), at most
// one second of records unacknowledged; each record's latency runs from when it was due to its ack, so a
// stall in sending (the in-flight bound, a blocked send) shows in the figures instead of hiding
// (no coordinated omission). Latencies go to an HdrHistogram (microseconds, 3 digits).
// Prints START, then one WINDOW line per 10 s of load (the acks completed in that window; the last one runs on
// to the last ack), then RESULT: overall percentiles, and the p99 of the windows after the warm-up
// (min/median/max; first/last: the median p99 of the windows in the first warm-up-long stretch after the
// warm-up and in the last such stretch). The consumer (auto.offset.reset=none: falling behind retention is
// counted, then it starts over at the log start) reports records read, offset gaps, and its lag (records
// acknowledged and not yet read) per window, when the producer stopped and at the end.
// Bounded: the load runs <seconds> (what is due by then is sent, within at most 150 s more), then at most 150 s
// for outstanding acks and 60 s for the consumer to catch up.
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ConsumerRecord;
import io.ferry.client.FerryConsumer;
import io.ferry.client.FerryException;
import io.ferry.client.FerryProducer;
import io.ferry.client.OffsetOutOfRangeException;
import io.ferry.client.ProducerConfig;
import io.ferry.client.ProducerRecord;
import io.ferry.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

public class FerrySustained {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long ACK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(150);
    private static final long DRAIN_WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    public static void main(String[] a) throws Exception {
        String bootstrap = a[0], topic = a[1];
        long seconds = Long.parseLong(a[2]), rate = Long.parseLong(a[3]);
        int size = Integer.parseInt(a[4]);
        long warmupSeconds = Long.parseLong(a[7]);
        int inFlightMax = (int) Math.max(1_000, rate);
        TopicPartition tp = new TopicPartition(topic, 0);
        Random random = new Random(42);
        byte[][] values = new byte[1024][size];
        for (byte[] v : values) {
            random.nextBytes(v);
        }
        Recorder recorder = new Recorder(3);
        Histogram total = new Histogram(3);
        List<double[]> windows = new ArrayList<>(); // {t_s, p99_ms}
        Semaphore inFlight = new Semaphore(inFlightMax);
        AtomicLong acked = new AtomicLong(), failed = new AtomicLong(), ackedEnd = new AtomicLong();
        Reader reader = new Reader(bootstrap, tp);
        Thread readerThread = new Thread(reader, "sustained-reader");
        readerThread.setDaemon(true); // never keeps the JVM up if main fails
        try (FerryProducer producer = new FerryProducer(ProducerConfig.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS, bootstrap,
                ProducerConfig.ACKS, "all",
                ProducerConfig.BATCH_SIZE, a[5],
                ProducerConfig.LINGER_MS, a[6])))) {
            producer.partitionsFor(topic); // metadata before the clock starts
            readerThread.start();
            long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds);
            long startMs = System.currentTimeMillis();
            System.out.printf("START epoch_ms=%d rate=%d seconds=%d record_size=%d in_flight_max=%d%n",
                    startMs, rate, seconds, size, inFlightMax);
            long sent = 0, lateMax = 0, window = 1, windowFailed = 0, all = seconds * rate;
            while (true) {
                long now = System.nanoTime();
                boolean over = now >= end; // then the rest of the records, all due, and stop
                if (over && (sent == all || now >= end + ACK_WAIT_NANOS)) {
                    break; // the last window is reported once every record is answered
                }
                if (!over && now >= start + window * WINDOW_NANOS) {
                    long f = failed.get();
                    report(windows, window * 10, 10, startMs, recorder.getIntervalHistogram(), total, f - windowFailed,
                            reader, ackedEnd.get());
                    windowFailed = f;
                    window++;
                }
                long due = Math.min((long) ((now - start) / 1e9 * rate) + 1, all); // records due by now
                while (sent < due) {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        break; // back to the window and deadline checks; the latency keeps counting from due
                    }
                    long intended = dueAt(start, sent, rate);
                    lateMax = Math.max(lateMax, System.nanoTime() - intended);
                    producer.send(new ProducerRecord(topic, 0, null, values[(int) (sent & 1023)]), (md, e) -> {
                        if (e == null) {
                            recorder.recordValue((System.nanoTime() - intended) / 1_000);
                            acked.incrementAndGet();
                            ackedEnd.accumulateAndGet(md.offset() + 1, Math::max);
                        } else if (failed.incrementAndGet() <= 10) {
                            System.err.println("send failed: " + e);
                        }
                        inFlight.release();
                    });
                    sent++;
                }
                // Until the next record is due, at least 100 us: at 100,000/s that sends about ten at a time.
                if (!over) {
                    long next = dueAt(start, sent, rate);
                    LockSupport.parkNanos(Math.max(MIN_PARK_NANOS, Math.min(next, end) - System.nanoTime()));
                }
            }
            long lagAtStop = lag(ackedEnd.get(), reader);
            boolean allAnswered = inFlight.tryAcquire(inFlightMax, ACK_WAIT_NANOS, TimeUnit.NANOSECONDS);
            long answered = System.nanoTime();
            // The last window: from the end of the one before to the last answer, labelled with the end of sending.
            report(windows, seconds, (answered - start - (window - 1) * WINDOW_NANOS) / 1e9, startMs,
                    recorder.getIntervalHistogram(), total, failed.get() - windowFailed, reader, ackedEnd.get());
            long drainStart = System.nanoTime();
            while (reader.position < ackedEnd.get() && System.nanoTime() - drainStart < DRAIN_WAIT_NANOS
                    && readerThread.isAlive()) {
                Thread.sleep(10);
            }
            long drainMs = (System.nanoTime() - drainStart) / 1_000_000;
            reader.stop = true;
            readerThread.join(30_000);
            double elapsed = (answered - start) / 1e9;
            List<Double> after = new ArrayList<>(), first = new ArrayList<>(), lastStretch = new ArrayList<>();
            for (double[] w : windows) {
                if (w[0] > warmupSeconds) {
                    after.add(w[1]);
                }
                if (w[0] > warmupSeconds && w[0] <= 2 * warmupSeconds) {
                    first.add(w[1]);
                }
                if (w[0] > seconds - warmupSeconds) {
                    lastStretch.add(w[1]);
                }
            }
            Collections.sort(after);
            System.out.printf("RESULT rate_target=%d rec_s=%.0f sent=%d acked=%d failed=%d unanswered=%d "
                            + "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
                            + "p99_win_min_ms=%.3f p99_win_med_ms=%.3f p99_win_max_ms=%.3f p99_first_ms=%.3f "
                            + "p99_last_ms=%.3f late_max_ms=%.1f read=%d lag_at_stop=%d lag_end=%d drain_ms=%d "
                            + "gaps=%d consumer_resets=%d consumer_errors=%d%n",
                    rate, acked.get() / elapsed, sent, acked.get(), failed.get(),
                    allAnswered ? 0 : inFlightMax - inFlight.availablePermits(),
                    ms(total, 50), ms(total, 99), ms(total, 99.9), total.getMaxValue() / 1e3,
                    after.isEmpty() ? -1 : after.get(0), median(after), after.isEmpty() ? -1 : after.get(after.size() - 1),
                    median(first), median(lastStretch), lateMax / 1e6, reader.read, lagAtStop,
                    lag(ackedEnd.get(), reader), drainMs, reader.gaps, reader.resets, reader.errors);
        }
    }

    static long dueAt(long start, long record, long rate) {
        return start + (long) (record * 1e9 / rate);
    }

    /**
     * Prints one WINDOW line (the acks of the {@code span} seconds up to {@code tSeconds}) and adds the window to
     * the run's histogram; a window with acks joins {@code windows} as {t_s, p99_ms}. A window without acks
     * (a stall) adds nothing: its records' latencies land in the window that acknowledges them.
     */
    static void report(List<double[]> windows, double tSeconds, double span, long startMs, Histogram h,
            Histogram total, long failed, Reader reader, long ackedEnd) {
        total.add(h);
        double p99 = ms(h, 99);
        if (h.getTotalCount() > 0) {
            windows.add(new double[] {tSeconds, p99});
        }
        System.out.printf("WINDOW t_s=%.1f epoch_ms=%d acked=%d rate=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
                        + "max_ms=%.3f failed=%d read=%d lag=%d%n",
                tSeconds, startMs + (long) (tSeconds * 1000), h.getTotalCount(), h.getTotalCount() / span,
                ms(h, 50), p99, ms(h, 99.9), h.getMaxValue() / 1e3, failed, reader.read,
                lag(ackedEnd, reader));
    }

    /**
     * Records acknowledged that the consumer has not read. Never negative: the consumer may read a record before
     * the producer's thread has run its callback.
     */
    static long lag(long ackedEnd, Reader reader) {
        return Math.max(0, ackedEnd - reader.position);
    }

    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return -1;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** Reads partition 0 from its start until told to stop (or for at most a day); counters are read by main. */
    static final class Reader implements Runnable {
        private final String bootstrap;
        private final TopicPartition tp;
        volatile boolean stop;
        volatile long position, read, gaps, resets, errors;

        Reader(String bootstrap, TopicPartition tp) {
            this.bootstrap = bootstrap;
            this.tp = tp;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.DAYS.toNanos(1);
            try (FerryConsumer consumer = new FerryConsumer(ConsumerConfig.of(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS, bootstrap, ConsumerConfig.AUTO_OFFSET_RESET, "none")))) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long next = consumer.position(tp);
                while (!stop && System.nanoTime() < deadline) {
                    try {
                        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(100))) {
                            if (r.offset() != next) {
                                gaps++;
                            }
                            next = r.offset() + 1;
                            read++;
                        }
                        position = next;
                    } catch (OffsetOutOfRangeException e) {
                        resets++; // fell behind retention: go on from the log start, the skipped offsets a gap
                        consumer.seekToBeginning(List.of(tp));
                    } catch (FerryException e) {
                        if (errors++ < 10) {
                            System.err.println("consumer: " + e);
                        }
                        Thread.sleep(100);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                System.err.println("consumer stopped: " + e);
                errors++;
            }
        }
    }
}
