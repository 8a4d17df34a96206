package io.ferry.node.internal.broker.controller;

import io.ferry.node.config.HostPort;
import io.ferry.proto.v1.ControllerServiceGrpc;
import io.ferry.proto.v1.ControllerServiceGrpc.ControllerServiceBlockingStub;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to the controller quorum through {@code controller.quorum.bootstrap.servers}. A controller
 * either answers, forwards to the active controller, or answers NOT_CONTROLLER (no active controller
 * it can reach); on NOT_CONTROLLER or a transport failure the call moves to the next address and
 * retries until its deadline.
 *
 * <p>Thread-safe: channels are created up front; the index of the address last found working is a
 * hint shared by all callers.
 */
public final class ControllerChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerChannel.class);

    /** Pause between two attempts, so a quorum in election is not hammered. */
    static final long RETRY_BACKOFF_MILLIS = 100;

    private static final String NO_ATTEMPT = "no attempt";

    private final List<HostPort> addresses;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private volatile int current;

    public ControllerChannel(List<HostPort> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no controller address");
        }
        this.addresses = List.copyOf(addresses);
        for (HostPort address : this.addresses) {
            channels.add(NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().build());
        }
    }

    /** A typed failure: no controller answered within the deadline. */
    public static final class ControllerUnavailableException extends Exception {
        public ControllerUnavailableException(String message) {
            super(message);
        }
    }

    /**
     * Calls until a controller gives an answer other than NOT_CONTROLLER, or {@code timeoutMillis}
     * passes.
     *
     * @param errorOf the response's error field
     * @throws ControllerUnavailableException no controller answered in time (the message names the last failure)
     */
    public <R> R call(String what, Function<ControllerServiceBlockingStub, R> call, Function<R, Error> errorOf,
                      long timeoutMillis) throws ControllerUnavailableException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String lastFailure = NO_ATTEMPT;
        while (true) {
            int index = current;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ControllerUnavailableException(what + " reached no active controller within " + timeoutMillis
                        + " ms via " + addresses + ": " + lastFailure);
            }
            try {
                R response = call.apply(ControllerServiceGrpc.newBlockingStub(channels.get(index))
                        .withDeadlineAfter(left, TimeUnit.NANOSECONDS));
                Error error = errorOf.apply(response);
                if (error.getCode() != ErrorCode.NOT_CONTROLLER) {
                    return response;
                }
                lastFailure = addresses.get(index) + " answered NOT_CONTROLLER: " + error.getMessage();
            } catch (StatusRuntimeException e) {
                // Running out of time on the last attempt says less than what the attempts before found.
                if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED || lastFailure.equals(NO_ATTEMPT)) {
                    lastFailure = addresses.get(index) + " failed: " + e.getStatus();
                }
            }
            log.debug("{}: {}", what, lastFailure);
            current = (index + 1) % addresses.size();
            try {
                Thread.sleep(Math.min(RETRY_BACKOFF_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ControllerUnavailableException(what + " was interrupted: " + lastFailure);
            }
        }
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
