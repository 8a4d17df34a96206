package io.ferry.node.internal.caller;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Which of the node's gRPC listeners a call came in on, for answers that hand out broker addresses:
 * a client on {@code grpc.external.listener} must be sent to external addresses. The external
 * listener's server runs {@link #EXTERNAL}, which marks every call's {@link Context}.
 */
public final class CallerListener implements ServerInterceptor {

    /** The interceptor of the external listener's server. */
    public static final CallerListener EXTERNAL = new CallerListener();

    private static final Context.Key<Boolean> EXTERNAL_CALL = Context.keyWithDefault("ferry-external-listener", false);

    private CallerListener() {}

    /** Whether the call this thread serves came in on the external listener. */
    public static boolean isExternal() {
        return EXTERNAL_CALL.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(Context.current().withValue(EXTERNAL_CALL, true), call, headers, next);
    }
}
