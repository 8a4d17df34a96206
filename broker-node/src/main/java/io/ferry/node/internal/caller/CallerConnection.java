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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connection a call came in on, for limits kept per connection and for what must happen when a client's
 * connection ends: every transport (one HTTP/2 connection) gets a {@link Connection} of its own when it is
 * ready, every call's {@link Context} carries its transport's, and the transport's end runs what was
 * registered with {@link Connection#whenEnded}. Both of the node's gRPC servers install {@link #INSTANCE} as
 * transport filter and interceptor.
 */
public final class CallerConnection extends ServerTransportFilter implements ServerInterceptor {

    public static final CallerConnection INSTANCE = new CallerConnection();

    private static final Attributes.Key<Connection> TOKEN = Attributes.Key.create("ferry-connection");
    private static final Context.Key<Connection> CONNECTION = Context.key("ferry-connection");
    /** Shared by calls that came on no network connection (in-process calls; none on a running node): never ends. */
    private static final Connection NONE = new Connection(null);

    /**
     * One connection, equal only to itself; named by the caller's address. Thread-safe: calls register on
     * request threads while the transport ends on its network thread.
     */
    public static final class Connection {
        private final SocketAddress remote;
        /** Key to the action to run at the end; at most one per key, so a connection's calls cannot grow it. */
        private final Map<Object, Runnable> atEnd = new ConcurrentHashMap<>();

        private volatile boolean ended;

        Connection(SocketAddress remote) {
            this.remote = remote;
        }

        /**
         * Runs {@code action} once when this connection ends, or at once if it has; nothing if an action is
         * already registered under {@code key}, so that each of the connection's calls may register without it
         * costing more than one action per key. The action runs on the thread that ends the connection (a
         * network thread): it must only hand work over.
         */
        public void whenEnded(Object key, Runnable action) {
            if (atEnd.putIfAbsent(key, action) == null && ended) {
                runOnce(key);
            }
        }

        void end() {
            ended = true;
            atEnd.keySet().forEach(this::runOnce);
        }

        /** Whichever of {@link #end} and a late {@link #whenEnded} removes the action runs it. */
        private void runOnce(Object key) {
            Runnable action = atEnd.remove(key);
            if (action != null) {
                action.run();
            }
        }

        @Override
        public String toString() {
            return "connection from " + remote;
        }
    }

    private CallerConnection() {}

    /** The connection of the call this thread serves. */
    public static Connection current() {
        Connection connection = CONNECTION.get();
        return connection != null ? connection : NONE;
    }

    /**
     * The address the call this thread serves came from, as a consumer group shows its members' hosts
     * (Kafka's {@code client.host}); empty for a call on no network connection.
     */
    public static String remoteHost() {
        Connection connection = CONNECTION.get();
        if (connection == null || connection.remote == null) {
            return "";
        }
        return connection.remote instanceof InetSocketAddress inet
                ? inet.getHostString()
                : connection.remote.toString();
    }

    /**
     * A connection a listener that is not gRPC accepted (the Kafka listener), from {@code remote}; the listener
     * ends it with {@link #end(Connection)} when the socket closes.
     */
    public static Connection open(SocketAddress remote) {
        return new Connection(remote);
    }

    /** Runs what was registered to run when {@code connection}, one {@link #open} made, ends. */
    public static void end(Connection connection) {
        connection.end();
    }

    /** {@code context} with {@code connection} as its call's connection. */
    public static Context withConnection(Context context, Connection connection) {
        return context.withValue(CONNECTION, connection);
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
                .set(TOKEN, new Connection(attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                .build();
    }

    @Override
    public void transportTerminated(Attributes attributes) {
        // Null for a connection that never became a transport (such as one whose TLS handshake failed).
        Connection connection = attributes == null ? null : attributes.get(TOKEN);
        if (connection != null) {
            connection.end();
        }
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        return Contexts.interceptCall(
                Context.current().withValue(CONNECTION, call.getAttributes().get(TOKEN)), call, headers, next);
    }
}
