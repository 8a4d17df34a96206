package io.ferry.node.internal.broker.quota;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Measures one kind of client quota (Kafka's {@code ClientQuotaManager}): each (user, client id) that a quota
 * applies to ({@link QuotaPrecedence}) gets a {@link SampledRate}; recording a value returns how long the
 * caller must be throttled to bring its rate back to the quota, Kafka's {@code (rate - quota) / quota ×
 * window}. Callers no quota applies to are not measured. Rates idle for the whole window are dropped.
 *
 * <p>Thread-safe: each rate is used under its own lock, so clients never wait for each other.
 */
final class ClientQuotaManager {

    private record Measured(String user, String clientId) {}

    private final String key;
    private final int samples;
    private final long windowMs;
    private final long maxThrottleMs;
    private final Supplier<Map<ClientQuotaEntity, Map<String, Double>>> quotas;
    private final LongSupplier clockMs;
    private final Timer throttleTimes;
    private final Map<Measured, SampledRate> rates = new ConcurrentHashMap<>();
    private volatile long nextSweepMs;

    /**
     * @param key           the quota key measured: producer_byte_rate, consumer_byte_rate or request_percentage
     * @param quotaType     the {@code quota_type} tag of {@code ferry_quota_throttle_time_seconds}
     * @param samples       {@code quota.window.num}
     * @param windowMs      {@code quota.window.size.seconds}, in milliseconds
     * @param maxThrottleMs longest throttle: at most the measured span, which is below clients' request timeouts
     * @param quotas        the quotas of the broker's current metadata view
     * @param clockMs       wall-clock or test milliseconds
     */
    ClientQuotaManager(
            String key,
            String quotaType,
            int samples,
            long windowMs,
            long maxThrottleMs,
            Supplier<Map<ClientQuotaEntity, Map<String, Double>>> quotas,
            LongSupplier clockMs,
            MeterRegistry registry) {
        this.key = key;
        this.samples = samples;
        this.windowMs = windowMs;
        this.maxThrottleMs = maxThrottleMs;
        this.quotas = quotas;
        this.clockMs = clockMs;
        this.throttleTimes = Timer.builder("ferry.quota.throttle.time")
                .description("Throttle time of each response held back because its client was over a quota")
                .tag("quota_type", quotaType)
                .register(registry);
    }

    /**
     * Adds {@code value} to the caller's rate.
     *
     * @return how long to hold the caller's response back, 0 when it is within its quota (or has none)
     */
    int recordAndGetThrottleTimeMs(QuotaClient client, double value) {
        var applied = QuotaPrecedence.lookup(quotas.get(), key, client.user(), client.clientId());
        if (applied.isEmpty()) {
            return 0;
        }
        long now = clockMs.getAsLong();
        sweepIdle(now);
        SampledRate rate = rates.computeIfAbsent(
                new Measured(applied.get().user(), applied.get().clientId()), m -> new SampledRate(samples, windowMs));
        double bound = applied.get().bound();
        long throttleMs;
        synchronized (rate) {
            rate.record(value, now);
            throttleMs = throttleTimeMs(rate.perSecond(now), bound, rate.spanMs(now));
        }
        throttleMs = Math.min(throttleMs, maxThrottleMs);
        if (throttleMs > 0) {
            throttleTimes.record(throttleMs, TimeUnit.MILLISECONDS);
        }
        return (int) throttleMs;
    }

    /**
     * Takes {@code value} back off the caller's rate (Kafka's {@code unrecordQuotaSensor}): for what was recorded
     * and then not sent.
     */
    void unrecord(QuotaClient client, double value) {
        var applied = QuotaPrecedence.lookup(quotas.get(), key, client.user(), client.clientId());
        if (applied.isEmpty()) {
            return;
        }
        SampledRate rate =
                rates.get(new Measured(applied.get().user(), applied.get().clientId()));
        if (rate != null) {
            synchronized (rate) {
                rate.record(-value, clockMs.getAsLong());
            }
        }
    }

    /**
     * Kafka's throttle time: the delay X that brings the observed rate O over span W down to the quota T,
     * O × W / (W + X) = T, so X = (O − T) / T × W; 0 when O is within T.
     */
    static long throttleTimeMs(double observed, double bound, long spanMs) {
        return observed <= bound ? 0 : Math.round((observed - bound) / bound * spanMs);
    }

    private void sweepIdle(long now) {
        if (now < nextSweepMs) {
            return;
        }
        nextSweepMs = now + samples * windowMs;
        // A rate idle for the whole span measures 0; a value recorded into it while it is removed is lost,
        // which only makes that client's next measurement start afresh.
        rates.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().idle(now);
            }
        });
    }
}
