package io.ferry.node.internal.caller;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The client id a call's client sent (Kafka's {@code client.id}) in the {@value #HEADER} header, which quotas
 * are kept per. A client id longer than {@link #MAX_LENGTH} characters ends the call with INVALID_ARGUMENT
 * naming the header. Both of the node's gRPC servers install the one {@link #INSTANCE}. Thread-safe.
 */
public final class CallerClientId implements ServerInterceptor {

    public static final CallerClientId INSTANCE = new CallerClientId();

    /** The header the Java client sends its {@code client.id} in; absent or empty for none. */
    public static final String HEADER = "ferry-client-id";

    /** Longest client id accepted, as the longest quota entity name. */
    public static final int MAX_LENGTH = 1024;

    private static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CLIENT_ID = Context.keyWithDefault(HEADER, "");

    private CallerClientId() {}

    /** The client id of the call this thread serves, "" when it sent none; read it on the call's thread. */
    public static String current() {
        return CLIENT_ID.get();
    }

    /**
     * {@code context} with {@code clientId} as its call's client id: for a listener that is not gRPC (the Kafka
     * listener reads it from each request's header). The caller has checked it against {@link #MAX_LENGTH}.
     */
    public static Context withClientId(Context context, String clientId) {
        return context.withValue(CLIENT_ID, clientId);
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String clientId = headers.get(KEY);
        if (clientId == null || clientId.isEmpty()) {
            return next.startCall(call, headers);
        }
        if (clientId.length() > MAX_LENGTH) {
            call.close(
                    Status.INVALID_ARGUMENT.withDescription("the " + HEADER + " header has " + clientId.length()
                            + " characters; at most " + MAX_LENGTH + " are allowed"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT_ID, clientId), call, headers, next);
    }
}
