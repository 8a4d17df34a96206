package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.cli.CliRunner.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PerfMathTest {

    @Test
    void percentilesOfOneToTenThousandMicros() {
        Histogram h = LatencyStats.newHistogram();
        for (int us = 1; us <= 10_000; us++) {
            h.recordValue(us);
        }
        LatencyStats s = LatencyStats.of(h);
        assertEquals(10_000, s.count());
        assertEquals(5000.5, s.meanMicros(), 5.0); // within HdrHistogram's 0.1%
        assertWithin(5000, s.p50Micros());
        assertWithin(9500, s.p95Micros());
        assertWithin(9900, s.p99Micros());
        assertWithin(9990, s.p999Micros());
        assertWithin(10_000, s.maxMicros());
    }

    @Test
    void aSlowTailShowsOnlyInTheHighPercentiles() {
        Histogram h = LatencyStats.newHistogram();
        for (int i = 0; i < 990; i++) {
            h.recordValue(100);
        }
        for (int i = 0; i < 10; i++) {
            h.recordValue(50_000);
        }
        LatencyStats s = LatencyStats.of(h);
        assertEquals(100, s.p50Micros());
        assertEquals(100, s.p99Micros());
        assertWithin(50_000, s.p999Micros());
        assertEquals((990 * 100 + 10 * 50_000) / 1000.0, s.meanMicros(), 50);
    }

    @Test
    void emptyHistogramIsAllZeros() {
        assertEquals(new LatencyStats(0, 0, 0, 0, 0, 0, 0), LatencyStats.of(LatencyStats.newHistogram()));
    }

    @Test
    void producerLineMatchesKafkasLayout() {
        LatencyStats s = new LatencyStats(1000, 2500, 12_345, 2000, 4000, 9000, 12_000);
        assertEquals(
                "1000 records sent, 500.0 records/sec (0.48 MB/sec), 2.50 ms avg latency, 12.35 ms max latency, "
                        + "2.00 ms 50th, 4.00 ms 95th, 9.00 ms 99th, 12.00 ms 99.9th.",
                PerfFormat.produceLine(1000, 1000 * 1000, 2_000_000_000L, s, true));
        assertEquals(
                "1000 records sent, 500.0 records/sec (0.48 MB/sec), 2.50 ms avg latency, 12.35 ms max latency.",
                PerfFormat.produceLine(1000, 1000 * 1000, 2_000_000_000L, s, false));
        assertEquals(
                "{\"records\":1000,\"errors\":2,\"bytes\":1000000,\"elapsed_sec\":2.000,\"records_per_sec\":500.0,"
                        + "\"mb_per_sec\":0.477,\"latency_ms\":{\"avg\":2.50,\"max\":12.35,\"p50\":2.00,\"p95\":4.00,"
                        + "\"p99\":9.00,\"p99_9\":12.00}}",
                PerfFormat.produceJson(1000, 2, 1000 * 1000, 2_000_000_000L, s));
    }

    @Test
    void consumerAndE2eLines() {
        assertEquals(
                "2048 records consumed (2.00 MB) in 4.000 s, 512.0 records/sec (0.50 MB/sec), 8 polls, "
                        + "256.0 records/poll",
                PerfFormat.consumeLine(2048, 2 * 1024 * 1024, 4_000_000_000L, 8));
        assertEquals(
                "{\"records\":2048,\"bytes\":2097152,\"elapsed_sec\":4.000,\"records_per_sec\":512.0,"
                        + "\"mb_per_sec\":0.500,\"polls\":8}",
                PerfFormat.consumeJson(2048, 2 * 1024 * 1024, 4_000_000_000L, 8));
        LatencyStats s = new LatencyStats(900, 812.5, 9000, 700, 1500, 2500, 4000);
        assertEquals(
                "900 records at 1000 records/sec (acks=all, 100 warm-up records not counted): e2e latency "
                        + "avg 812.5 us, p50 700 us, p99 2500 us, p99.9 4000 us, max 9000 us",
                PerfFormat.e2eLine(s, 1000, "all", 100));
        assertEquals(
                "{\"records\":900,\"rate\":1000,\"acks\":\"all\",\"warmup\":100,\"lost\":0,\"latency_us\":"
                        + "{\"avg\":812.5,\"p50\":700,\"p99\":2500,\"p99_9\":4000,\"max\":9000}}",
                PerfFormat.e2eJson(s, 1000, "all", 100, 0));
    }

    @Test
    void pacerSpacesEventsEvenlyAndDoesNotPunishLateness() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        Pacer pacer = new Pacer(ticker, 100);
        long start = ticker.nanoTime();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pacer.awaitTurn(i);
            times.add((ticker.nanoTime() - start) / 1_000_000);
        }
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L), times);
        ticker.sleepNanos(100_000_000); // the caller stalls for 100 ms
        pacer.awaitTurn(5); // overdue: no wait
        assertEquals(140, (ticker.nanoTime() - start) / 1_000_000);
    }

    @Test
    void unpacedPacerNeverWaits() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        long start = ticker.nanoTime();
        Pacer pacer = new Pacer(ticker, -1);
        for (int i = 0; i < 1000; i++) {
            pacer.awaitTurn(i);
        }
        assertEquals(start, ticker.nanoTime());
    }

    private static void assertWithin(long expected, long actual) {
        assertEquals(expected, actual, Math.max(1, expected / 1000.0), "expected ~" + expected + " got " + actual);
    }

    @Test
    void e2eWarmUpCoversTheFirstSecondsButNeverHalfTheRun() {
        assertEquals(5_000, PerfE2e.warmupRecords(10_000, 1000));
        assertEquals(5_000, PerfE2e.warmupRecords(100_000, 1000));
        assertEquals(100, PerfE2e.warmupRecords(200, 500));
        assertEquals(500, PerfE2e.warmupRecords(1_000_000, 10));
        assertEquals(0, PerfE2e.warmupRecords(1, 1000));
    }
}
