package io.ferry.client.internal;

import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An idempotent producer's id and epoch, obtained with InitProducerId from any broker, in turn, and
 * asked again (a fresh id, as Kafka 4's non-transactional producer does) after {@link #reset}.
 *
 * <p>Threads: the sender thread calls {@link #current} and {@link #reset}; the answer arrives on a
 * gRPC thread, which publishes it and wakes the sender. At most one request is outstanding.
 */
final class ProducerIdentity {

    private static final Logger log = LoggerFactory.getLogger(ProducerIdentity.class);

    /** A producer id with its epoch, as stamped into batch headers. */
    record IdAndEpoch(long producerId, short epoch) {}

    private final Channels channels;
    private final Supplier<List<InetSocketAddress>> brokers;
    private final int requestTimeoutMs;
    private final long retryBackoffNanos;
    private final Runnable wakeup;

    private volatile IdAndEpoch current;
    private volatile boolean requesting;
    private volatile long nextAttemptNanos;
    // Sender thread only.
    private int nextBroker;

    ProducerIdentity(
            Channels channels,
            Supplier<List<InetSocketAddress>> brokers,
            int requestTimeoutMs,
            long retryBackoffNanos,
            Runnable wakeup) {
        this.channels = channels;
        this.brokers = brokers;
        this.requestTimeoutMs = requestTimeoutMs;
        this.retryBackoffNanos = retryBackoffNanos;
        this.wakeup = wakeup;
    }

    /**
     * The id to stamp into new batches, or null while one is being obtained (a request is then sent, or
     * scheduled after {@code retry.backoff.ms}, and the sender is woken when it is answered).
     */
    IdAndEpoch current(long nowNanos) {
        IdAndEpoch id = current;
        if (id == null && !requesting && nowNanos - nextAttemptNanos >= 0) {
            request();
        }
        return id;
    }

    /**
     * Drops the current id: a batch stamped with it failed, so its partition's sequence has a gap the
     * brokers would refuse. Batches stamped from now on carry a fresh id, from sequence 0.
     *
     * @return whether {@code producerId} was the current id (an older one was dropped already)
     */
    boolean reset(long producerId) {
        IdAndEpoch id = current;
        if (id == null || id.producerId() != producerId) {
            return false;
        }
        log.info("Producer id {} is abandoned after a failed batch; asking for a new one", producerId);
        current = null;
        return true;
    }

    private void request() {
        List<InetSocketAddress> nodes = new ArrayList<>(new LinkedHashSet<>(brokers.get()));
        InetSocketAddress target = nodes.get(Math.floorMod(nextBroker++, nodes.size()));
        requesting = true;
        try {
            BrokerServiceGrpc.newStub(channels.get(target))
                    .withDeadlineAfter(requestTimeoutMs, TimeUnit.MILLISECONDS)
                    .initProducerId(InitProducerIdRequest.getDefaultInstance(), new StreamObserver<>() {
                        @Override
                        public void onNext(InitProducerIdResponse response) {
                            onAnswer(target, response);
                        }

                        @Override
                        public void onError(Throwable t) {
                            retryLater(target, t.getMessage());
                        }

                        @Override
                        public void onCompleted() {}
                    });
        } catch (RuntimeException e) {
            retryLater(target, e.getMessage());
        }
    }

    private void onAnswer(InetSocketAddress target, InitProducerIdResponse response) {
        ErrorCode code = response.hasError() ? response.getError().getCode() : ErrorCode.NONE;
        if (code != ErrorCode.NONE) {
            retryLater(target, code + ": " + response.getError().getMessage());
            return;
        }
        current = new IdAndEpoch(response.getProducerId(), (short) response.getProducerEpoch());
        requesting = false;
        wakeup.run();
    }

    /**
     * Every failure is tried again, at the next broker: the batches waiting for an id fail by their own
     * {@code delivery.timeout.ms} if none comes.
     */
    private void retryLater(InetSocketAddress target, String problem) {
        log.warn("InitProducerId at {} failed ({}); trying again", target, problem);
        nextAttemptNanos = System.nanoTime() + retryBackoffNanos;
        requesting = false;
        wakeup.run();
    }
}
