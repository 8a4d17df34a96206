package io.ferry.node.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.IntSupplier;

/**
 * Which of the node's gRPC listeners a call came in on, for answers that hand out broker addresses:
 * a client on {@code grpc.external.listener} must be sent to external addresses. Marks each call
 * whose connection's local port is the external listener's in the call's {@link Context}.
 */
public final class CallerListener implements ServerInterceptor {

    private static final Context.Key<Boolean> EXTERNAL = Context.keyWithDefault("ferry-external-listener", false);

    private final IntSupplier externalPort;

    /** @param externalPort the external listener's bound port; -1 while there is none */
    CallerListener(IntSupplier externalPort) {
        this.externalPort = externalPort;
    }

    /** Whether the call this thread serves came in on the external listener. */
    public static boolean isExternal() {
        return EXTERNAL.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        SocketAddress local = call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
        if (local instanceof InetSocketAddress address && address.getPort() == externalPort.getAsInt()) {
            return Contexts.interceptCall(Context.current().withValue(EXTERNAL, true), call, headers, next);
        }
        return next.startCall(call, headers);
    }
}
