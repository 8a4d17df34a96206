package io.ferry.node.internal.broker.quota;

import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.ProduceResponse;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Enforces the quotas of Produce and Fetch as Kafka does, by delay: a response of a client over its
 * quota carries {@code throttle_time_ms} and is sent only once that time has passed, from the throttle
 * scheduler, so no request thread waits and other clients' responses go out at once. Produce counts the
 * request's bytes against {@code producer_byte_rate}, Fetch the response's against
 * {@code consumer_byte_rate}, and both their request thread time against {@code request_percentage};
 * replication is never throttled (it does not come through here).
 *
 * <p>Thread-safe.
 */
public final class ClientThrottle {

    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;
    private final ClientQuotaManager request;
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
        long span = samples * windowMs;
        this.produce = new ClientQuotaManager(
                "producer_byte_rate", "produce", samples, windowMs, span, quotas, clockMs, registry);
        this.fetch = new ClientQuotaManager(
                "consumer_byte_rate", "fetch", samples, windowMs, span, quotas, clockMs, registry);
        // Kafka bounds a request-time throttle by one window.
        this.request = new ClientQuotaManager(
                "request_percentage", "request", samples, windowMs, windowMs, quotas, clockMs, registry);
        this.scheduler = scheduler;
    }

    /**
     * Counts a produce request of {@code requestBytes} and the request thread time it took, and hands its
     * response to {@code respond}, throttled by the longer of the two quotas' throttle times (as Kafka).
     *
     * @param handlerNanos the request's thread time ({@link HandlerTime#nanos()}), read now
     */
    public void produced(
            QuotaClient client,
            long requestBytes,
            LongSupplier handlerNanos,
            ProduceResponse response,
            Consumer<ProduceResponse> respond) {
        int throttleMs = produceThrottleMs(client, requestBytes, handlerNanos);
        ProduceResponse answer = throttleMs == 0
                ? response
                : response.toBuilder().setThrottleTimeMs(throttleMs).build();
        after(throttleMs, () -> respond.accept(answer));
    }

    /**
     * Counts a RecordService Publish request of {@code requestBytes} and its request thread time as a produce
     * request's, and runs {@code respond} once the longer throttle time has passed. A Publish response has no
     * throttle time field: the delay alone slows the client, as Kafka's muted channel does.
     */
    public void published(QuotaClient client, long requestBytes, LongSupplier handlerNanos, Runnable respond) {
        after(produceThrottleMs(client, requestBytes, handlerNanos), respond);
    }

    /** Records a produce request's bytes and thread time; the longer of the two quotas' throttle times (Kafka's). */
    private int produceThrottleMs(QuotaClient client, long requestBytes, LongSupplier handlerNanos) {
        return Math.max(produce.recordAndGetThrottleTimeMs(client, requestBytes), requestTime(client, handlerNanos));
    }

    /**
     * Counts a fetch response's bytes and its request thread time, and hands it to {@code respond}, throttled.
     * As Kafka, a throttled fetch is answered without its records and their bytes are taken back off the
     * client's rate: a client over its quota is sent nothing until the throttle time has passed, and the
     * records the answer would have held are not kept for it meanwhile.
     */
    public void fetched(
            QuotaClient client, LongSupplier handlerNanos, FetchResponse response, Consumer<FetchResponse> respond) {
        long bytes = response.getSerializedSize();
        int throttleMs = Math.max(fetch.recordAndGetThrottleTimeMs(client, bytes), requestTime(client, handlerNanos));
        if (throttleMs == 0) {
            respond.accept(response);
            return;
        }
        fetch.unrecord(client, bytes);
        FetchResponse answer =
                withoutRecords(response).setThrottleTimeMs(throttleMs).build();
        after(throttleMs, () -> respond.accept(answer));
    }

    /** The response with every partition's records left out; errors, watermarks and leader hints stay. */
    private static FetchResponse.Builder withoutRecords(FetchResponse response) {
        FetchResponse.Builder empty = response.toBuilder();
        for (FetchTopicResult.Builder topic : empty.getTopicsBuilderList()) {
            for (FetchPartitionResult.Builder partition : topic.getPartitionsBuilderList()) {
                partition.clearRecords();
            }
        }
        return empty;
    }

    /**
     * Counts a call's request thread time against {@code request_percentage} and runs {@code end} with the
     * throttle time once it has passed (at once, with 0, for a caller within its quota).
     */
    public void requestHandled(QuotaClient client, long threadNanos, IntConsumer end) {
        int throttleMs = requestTime(client, () -> threadNanos);
        after(throttleMs, () -> end.accept(throttleMs));
    }

    /** Records thread time as Kafka does, in percent-seconds of one thread, so the rate is a percentage. */
    private int requestTime(QuotaClient client, LongSupplier handlerNanos) {
        return request.recordAndGetThrottleTimeMs(client, handlerNanos.getAsLong() * 100.0 / 1e9);
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
