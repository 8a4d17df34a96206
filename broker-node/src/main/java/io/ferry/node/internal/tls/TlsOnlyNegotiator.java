package io.ferry.node.internal.tls;

import io.ferry.node.internal.caller.RefusalLog;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.socket.DuplexChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC's server TLS negotiation, with a clear refusal of plaintext: a connection whose first byte is not
 * a TLS handshake record is answered, in plaintext HTTP/2, with an empty SETTINGS frame and a GOAWAY
 * (INADEQUATE_SECURITY) whose debug data tells the client to use TLS, then closed, and the refusal is
 * logged with the client's address (one line per ten seconds at most, with the count of those not logged). Without it the client sees only a connection closed "for unknown
 * reason" and the server nothing. A TLS handshake that fails (a client without a certificate the listener
 * requires) is logged likewise.
 *
 * <p>Uses grpc-netty's {@code Internal*} API: a plain {@code sslContext} on the server builder has no hook
 * in front of the TLS handler.
 */
public final class TlsOnlyNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    private static final Logger log = LoggerFactory.getLogger(TlsOnlyNegotiator.class);

    /** The content type of a TLS handshake record, the first byte a TLS client sends (RFC 8446 5.1). */
    private static final byte TLS_HANDSHAKE = 22;

    private static final byte[] REFUSAL = ("this Ferry listener accepts TLS only: connect with TLS "
                    + "(Java client and CLI: security.protocol=SSL)")
            .getBytes(StandardCharsets.UTF_8);

    /**
     * How often a refusal is logged at most: a client retrying a plaintext connection, or one flooding the
     * port, must not flood the log.
     */
    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final InternalProtocolNegotiator.ProtocolNegotiator tls;
    private final RefusalLog refusalLog = new RefusalLog(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime);
    private final HandshakeFailures handshakeFailures;

    public TlsOnlyNegotiator(SslContext sslContext) {
        this(sslContext, log::warn);
    }

    /** @param warnings where the lines about failed handshakes go (the log, or a test's list) */
    TlsOnlyNegotiator(SslContext sslContext, Consumer<String> warnings) {
        this.tls = InternalProtocolNegotiators.serverTls(sslContext);
        this.handshakeFailures =
                new HandshakeFailures(new RefusalLog(REFUSAL_LOG_INTERVAL_NANOS, System::nanoTime), warnings);
    }

    @Override
    public AsciiString scheme() {
        return tls.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new FirstByteCheck(tls.newHandler(grpcHandler), refusalLog, handshakeFailures);
    }

    /**
     * Logs the TLS handshakes that fail, such as a client refused for want of a trusted certificate
     * ({@code ssl.client.auth}): gRPC logs them only at its debug level, so the operator would see nothing
     * while the client sees the TLS alert. One line per {@link RefusalLog} interval at most.
     */
    private record HandshakeFailures(RefusalLog refusalLog, Consumer<String> warnings) {
        void watch(Channel channel, SslHandler ssl) {
            ssl.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    return;
                }
                long suppressed = refusalLog.suppressedOrLog();
                if (suppressed >= 0) {
                    warnings.accept("TLS handshake with " + channel.remoteAddress() + " on the listener "
                            + channel.localAddress() + " failed: " + reason(handshake.cause()) + " (" + suppressed
                            + " more failed since the last such line)");
                }
            });
        }

        /** The innermost message: the TLS engine's wrappers say only that there was an error. */
        private static String reason(Throwable failure) {
            Throwable innermost = failure;
            while (innermost.getCause() != null && innermost.getCause() != innermost) {
                innermost = innermost.getCause();
            }
            return innermost == failure ? String.valueOf(failure) : failure + ", caused by " + innermost;
        }
    }

    @Override
    public void close() {
        tls.close();
    }

    /**
     * Installs gRPC's TLS handlers behind itself, so that they set up as usual, and looks at the first bytes
     * read before they do: a TLS handshake goes on to them and this handler leaves the pipeline; anything
     * else is refused.
     */
    private static final class FirstByteCheck extends ChannelInboundHandlerAdapter {

        /**
         * How long a refused connection is kept reading (and discarding) after the refusal, for the client to
         * close it first. Closing a socket with unread bytes makes the kernel reset it, and a client that reads the
         * reset before the refusal sees only "connection reset by peer".
         */
        private static final long DRAIN_SECONDS = 5;

        private final ChannelHandler tlsHandler;
        private final RefusalLog refusalLog;
        private final HandshakeFailures handshakeFailures;
        /** Set once the connection is refused: whatever else the client sends is read and dropped. */
        private boolean refused;

        FirstByteCheck(ChannelHandler tlsHandler, RefusalLog refusalLog, HandshakeFailures handshakeFailures) {
            this.tlsHandler = tlsHandler;
            this.refusalLog = refusalLog;
            this.handshakeFailures = handshakeFailures;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter(ctx.name(), null, tlsHandler);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf bytes && !bytes.isReadable()) {
                bytes.release(); // nothing to judge yet: wait for the first byte
                return;
            }
            if (!(msg instanceof ByteBuf bytes) || bytes.getByte(bytes.readerIndex()) == TLS_HANDSHAKE) {
                // gRPC's TLS handler put its SslHandler in the pipeline when the connection became active.
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (ssl != null) {
                    handshakeFailures.watch(ctx.channel(), ssl);
                }
                ctx.pipeline().remove(this);
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            refused = true;
            long suppressed = refusalLog.suppressedOrLog();
            if (suppressed >= 0) {
                log.warn(
                        "Refused a plaintext connection from {} to the TLS listener {}: the client must use TLS"
                                + " ({} more refused since the last such line)",
                        ctx.channel().remoteAddress(),
                        ctx.channel().localAddress(),
                        suppressed);
            }
            ByteBuf answer = ctx.alloc().buffer(9 + 9 + 8 + REFUSAL.length);
            // An empty SETTINGS frame: the server preface an HTTP/2 client expects before anything else.
            frameHeader(answer, 0, 0x4);
            // GOAWAY with error INADEQUATE_SECURITY (0xc) and the reason as debug data. Its last stream id is the
            // largest there is: the client's calls then fail with this error as the connection closes, where
            // a lower one would tell the client they were never seen, and it would retry them at once.
            frameHeader(answer, 8 + REFUSAL.length, 0x7);
            answer.writeInt(Integer.MAX_VALUE).writeInt(0xc).writeBytes(REFUSAL);
            // Written from here, in front of the TLS handler: it goes out as it is. Then only this side is shut, so
            // the client reads the refusal and the end of the stream, closes, and that closes the connection here.
            ctx.writeAndFlush(answer).addListener(written -> {
                if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                    ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
                } else {
                    ctx.close();
                }
            });
        }

        private static void frameHeader(ByteBuf out, int length, int type) {
            out.writeMedium(length).writeByte(type).writeByte(0).writeInt(0);
        }
    }
}
