package io.ferry.node.internal.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampledRateTest {

    private final SampledRate rate = new SampledRate(11, 1000);

    @Test
    void aFirstBurstIsMeasuredOverTheWholeSpanNotTheMillisecondsSinceIt() {
        rate.record(10_000, 5_000);
        assertEquals(10_000, rate.spanMs(5_000));
        assertEquals(1_000.0, rate.perSecond(5_000), 1e-9);
    }

    @Test
    void onceMoreThanTheMinimumSpanPassedTheRateIsOverTheTimeSinceTheOldestSample() {
        for (long t = 0; t <= 14_000; t += 1_000) {
            rate.record(1_000, t);
        }
        // Samples that started at 3000..14000 are held (samples + the overlapping one); the one at 3000 saw
        // nothing for 11 s and is forgotten: 11,000 bytes from 4000 to 14500.
        assertEquals(10_500, rate.spanMs(14_500));
        assertEquals(11_000 * 1000.0 / 10_500, rate.perSecond(14_500), 1e-9);
    }

    @Test
    void samplesWithNothingRecordedForTheWholeSpanAreForgotten() {
        rate.record(50_000, 0);
        rate.record(1, 20_000);
        assertEquals(1 * 1000.0 / 10_000, rate.perSecond(20_000), 1e-9);
        assertFalse(rate.idle(20_000 + 10_999));
        assertTrue(rate.idle(20_000 + 11_000));
    }

    @Test
    void throttleTimeIsWhatBringsTheRateBackToTheQuota() {
        // O = 2000/s over W = 10 s against T = 1000/s: X = (2000 - 1000) / 1000 × 10 s = 10 s.
        assertEquals(10_000, ClientQuotaManager.throttleTimeMs(2_000, 1_000, 10_000));
        assertEquals(0, ClientQuotaManager.throttleTimeMs(1_000, 1_000, 10_000));
        assertEquals(0, ClientQuotaManager.throttleTimeMs(10, 1_000, 10_000));
        assertEquals(500, ClientQuotaManager.throttleTimeMs(1_050, 1_000, 10_000));
    }
}
