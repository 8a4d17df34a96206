package io.ferry.node.internal.caller;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Which connection a call came in on, for limits kept per connection: every transport (one HTTP/2
 * connection) gets a token of its own when it is ready, and every call's {@link Context} carries its
 * transport's token. Both of the node's gRPC servers install {@link #INSTANCE} as transport filter and
 * interceptor.
 */
public final class CallerConnection extends ServerTransportFilter implements ServerInterceptor {

    public static final CallerConnection INSTANCE = new CallerConnection();

    private static final Attributes.Key<Token> TOKEN = Attributes.Key.create("ferry-connection");
    private static final Context.Key<Token> CONNECTION = Context.key("ferry-connection");
    /** Shared by calls that came on no network connection (in-process calls; none on a running node). */
    private static final Token NONE = new Token(null);

    /** One connection, equal only to itself; named by the caller's address. */
    private static final class Token {
        private final SocketAddress remote;

        Token(SocketAddress remote) {
            this.remote = remote;
        }

        @Override
        public String toString() {
            return "connection from " + remote;
        }
    }

    private CallerConnection() {}

    /** The connection of the call this thread serves. */
    public static Object current() {
        Token token = CONNECTION.get();
        return token != null ? token : NONE;
    }

    /**
     * The address the call this thread serves came from, as a consumer group shows its members' hosts
     * (Kafka's {@code client.host}); empty for a call on no network connection.
     */
    public static String remoteHost() {
        Token token = CONNECTION.get();
        if (token == null || token.remote == null) {
            return "";
        }
        return token.remote instanceof InetSocketAddress inet ? inet.getHostString() : token.remote.toString();
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
                .set(TOKEN, new Token(attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                .build();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(
                Context.current().withValue(CONNECTION, call.getAttributes().get(TOKEN)), call, headers, next);
    }
}
