package io.ferry.node.internal.broker.quota;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.ProduceResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Enforces the byte-rate quotas of Produce and Fetch as Kafka does, by delay: a response of a client over its
 * quota carries {@code throttle_time_ms} and is sent only once that time has passed, from the throttle
 * scheduler, so no request thread waits and other clients' responses go out at once. Produce counts the
 * request's bytes against {@code producer_byte_rate}, Fetch the response's against
 * {@code consumer_byte_rate}; replication is never throttled (it does not come through here).
 *
 * <p>Thread-safe.
 */
public final class ClientThrottle {

    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;
    private final ScheduledExecutorService scheduler;

    /**
     * @param samples   {@code quota.window.num}
     * @param windowMs  {@code quota.window.size.seconds}, in milliseconds
     * @param quotas    the client quotas of the broker's current metadata view
     * @param scheduler sends the held-back responses; used for nothing else, so a burst of them delays nothing
     *                  but throttled clients
     */
    public ClientThrottle(
            int samples,
            long windowMs,
            Supplier<Map<ClientQuotaEntity, Map<String, Double>>> quotas,
            LongSupplier clockMs,
            ScheduledExecutorService scheduler,
            MeterRegistry registry) {
        this.produce =
                new ClientQuotaManager("producer_byte_rate", "produce", samples, windowMs, quotas, clockMs, registry);
        this.fetch =
                new ClientQuotaManager("consumer_byte_rate", "fetch", samples, windowMs, quotas, clockMs, registry);
        this.scheduler = scheduler;
    }

    /** Counts a produce request of {@code requestBytes} and hands its response to {@code respond}, throttled. */
    public void produced(
            QuotaClient client, long requestBytes, ProduceResponse response, Consumer<ProduceResponse> respond) {
        int throttleMs = produce.recordAndGetThrottleTimeMs(client, requestBytes);
        ProduceResponse answer = throttleMs == 0
                ? response
                : response.toBuilder().setThrottleTimeMs(throttleMs).build();
        after(throttleMs, () -> respond.accept(answer));
    }

    /** Counts a fetch response's bytes and hands it to {@code respond}, throttled. */
    public void fetched(QuotaClient client, FetchResponse response, Consumer<FetchResponse> respond) {
        int throttleMs = fetch.recordAndGetThrottleTimeMs(client, response.getSerializedSize());
        FetchResponse answer = throttleMs == 0
                ? response
                : response.toBuilder().setThrottleTimeMs(throttleMs).build();
        after(throttleMs, () -> respond.accept(answer));
    }

    private void after(int throttleMs, Runnable send) {
        if (throttleMs == 0) {
            send.run();
            return;
        }
        try {
            scheduler.schedule(send, throttleMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The broker is closing: answer now rather than never.
            send.run();
        }
    }
}
