package io.ferry.node.internal.broker.quota;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code request_percentage} for the calls that do not count their thread time themselves (Metadata, ListOffsets,
 * admin and group calls: Produce and Fetch count theirs with their byte rates): the time the call's handler keeps
 * a gRPC thread busy is recorded against the caller's request quota, and a caller over it has the call's end held
 * back by the throttle time, reported in the {@value #TRAILER} trailer (these responses have no
 * {@code throttle_time_ms} field). Messages a streaming call sends before its end are not held back.
 *
 * <p>Thread-safe.
 */
public final class RequestTimeQuota implements ServerInterceptor {

    /** The trailer that carries a held-back call's throttle time, in milliseconds. */
    public static final String TRAILER = "ferry-throttle-time-ms";

    private static final Metadata.Key<String> THROTTLE_TIME =
            Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    private final ClientThrottle throttle;
    private final Set<String> countedElsewhere;

    /** @param countedElsewhere full names of the methods that count their own thread time, or are never throttled */
    public RequestTimeQuota(ClientThrottle throttle, Set<String> countedElsewhere) {
        this.throttle = throttle;
        this.countedElsewhere = Set.copyOf(countedElsewhere);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (countedElsewhere.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        QuotaClient client = QuotaClient.current();
        ThreadTime time = new ThreadTime();
        ServerCall<Q, R> heldBack = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                throttle.requestHandled(client, time.nanos(), throttleMs -> {
                    if (throttleMs > 0) {
                        trailers.put(THROTTLE_TIME, Integer.toString(throttleMs));
                    }
                    super.close(status, trailers);
                });
            }
        };
        ServerCall.Listener<Q> listener = time.timed(() -> next.startCall(heldBack, headers));
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                time.timed(() -> {
                    super.onMessage(message);
                    return null;
                });
            }

            @Override
            public void onHalfClose() {
                time.timed(() -> {
                    super.onHalfClose();
                    return null;
                });
            }
        };
    }

    /**
     * The thread time of one call's handler sections so far, including the one running now: a call answered
     * inline ends while its handler still runs (as {@link HandlerTime} counts it).
     */
    private static final class ThreadTime {
        private long accumulated;
        private long runningSince = -1;

        <T> T timed(Supplier<T> section) {
            synchronized (this) {
                runningSince = System.nanoTime();
            }
            try {
                return section.get();
            } finally {
                synchronized (this) {
                    accumulated += System.nanoTime() - runningSince;
                    runningSince = -1;
                }
            }
        }

        synchronized long nanos() {
            return accumulated + (runningSince >= 0 ? System.nanoTime() - runningSince : 0);
        }
    }
}
