package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.caller.CallerClientId;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.node.internal.sasl.SaslAuthenticationService;
import io.ferry.security.Principal;
import io.grpc.Context;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the Kafka listener: reads each request frame (the frame decoder before it has
 * bounded its length), parses Kafka's header and body with kafka-clients' own protocol classes, hands the
 * request to {@link KafkaApis} and writes the answers back in the order the requests came, as Kafka's clients
 * require (answers that complete early wait for the ones before them).
 *
 * <p>Bounded: at most {@link #MAX_IN_FLIGHT} requests are handled at once; frames read beyond that wait,
 * unparsed, and the socket is not read until the first answers are out, so a client pipelining without end
 * holds no more than its own frames. A frame that is not a request this listener serves (an unknown API or
 * version, a header or body that does not parse) closes the connection with a log line naming the problem,
 * as Kafka's broker does; ApiVersions at a version it does not serve is answered with the versions it does.
 *
 * <p>Runs on the connection's event loop; answers completed on other threads are handed to it.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);

    /** Requests handled at once per connection: kafka-clients sends at most 5 ({@code max.in.flight.requests}). */
    static final int MAX_IN_FLIGHT = 16;

    private final KafkaApis apis;
    private final RefusalLog refusals;
    /** Requests being handled or answered, oldest first; owned by the event loop. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Frames read while {@link #inFlight} was full, oldest first. */
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();

    private final CallerPrincipal principals;
    private final KafkaSasl sasl;

    private ChannelHandlerContext channel;
    private CallerConnection.Connection connection;
    /** Who the client is: on TLS with a certificate, its mapped subject, once the handshake is done. */
    private Principal principal = Principal.ANONYMOUS;

    /** One request: its header, and its answer once there is one. */
    private static final class InFlight {
        final RequestHeader header;
        /** The answer's bytes, length prefix included; null until answered, EMPTY for no answer. */
        ByteBuf answer;
        /** Gives back what the answer's bytes read (a fetch's log slices), once they are written or dropped. */
        Runnable written = () -> {};

        InFlight(RequestHeader header) {
            this.header = header;
        }
    }

    /**
     * @param sasl the connection's SASL state on a {@code SASL_SSL} listener, else null
     */
    KafkaConnection(KafkaApis apis, RefusalLog refusals, CallerPrincipal principals, KafkaSasl sasl) {
        this.apis = apis;
        this.refusals = refusals;
        this.principals = principals;
        this.sasl = sasl;
    }

    /**
     * On TLS, the client's principal once the handshake is done; a failed handshake (a plaintext client, a
     * certificate the trust store does not vouch for) or a certificate no rule maps closes the connection. No
     * request is read before: TLS hands nothing up until then.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                close("the TLS handshake failed (" + handshake.cause().getMessage() + ")");
                return;
            }
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            Optional<Principal> mapped =
                    principals.principal(session, ctx.channel().remoteAddress());
            if (mapped.isEmpty()) {
                close("no rule of ssl.principal.mapping.rules maps its certificate's subject");
                return;
            }
            principal = mapped.get();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx;
        connection = CallerConnection.open(ctx.channel().remoteAddress());
        if (sasl != null) {
            // A client that never finishes authenticating holds its connection no longer than this.
            ctx.executor()
                    .schedule(
                            () -> {
                                if (!sasl.authenticated() && ctx.channel().isActive()) {
                                    close("no SASL authentication within "
                                            + SaslAuthenticationService.EXCHANGE_TIMEOUT_MILLIS + " ms");
                                }
                            },
                            SaslAuthenticationService.EXCHANGE_TIMEOUT_MILLIS,
                            TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        CallerConnection.end(connection);
        // Requests still being handled give back what they hold when their answer comes (see answered).
        inFlight.forEach(request -> {
            if (request.answer != null) {
                request.answer.release();
                request.written.run();
            }
        });
        inFlight.clear();
        waiting.forEach(ByteBuf::release);
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf frame = (ByteBuf) message;
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            waiting.add(frame);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(frame);
    }

    private void handle(ByteBuf frame) {
        ByteBuffer buffer = directView(frame);
        RequestHeader header;
        AbstractRequest request;
        try {
            header = RequestHeader.parse(buffer);
            if (header.clientId() != null && header.clientId().length() > CallerClientId.MAX_LENGTH) {
                throw new IllegalArgumentException(
                        "a client id of " + header.clientId().length() + " characters; at most "
                                + CallerClientId.MAX_LENGTH + " are allowed");
            }
            if (!SupportedApis.supports(header.apiKey(), header.apiVersion())) {
                frame.release();
                refuseVersion(header);
                return;
            }
            request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(buffer))
                    .request;
        } catch (RuntimeException e) {
            frame.release();
            close("a request that does not parse (" + e.getMessage() + ")");
            return;
        }
        String unauthenticated = sasl == null ? null : sasl.refusal(header.apiKey(), System.nanoTime());
        if (unauthenticated != null) {
            frame.release();
            close(unauthenticated);
            return;
        }
        if (header.apiKey() == ApiKeys.SASL_HANDSHAKE || header.apiKey() == ApiKeys.SASL_AUTHENTICATE) {
            frame.release();
            authenticate(header, request.data());
            return;
        }
        InFlight slot = new InFlight(header);
        inFlight.add(slot);
        Context context = CallerPrincipal.withPrincipal(
                CallerClientId.withClientId(
                        CallerConnection.withConnection(Context.ROOT, connection),
                        header.clientId() == null ? "" : header.clientId()),
                sasl != null && sasl.authenticated() ? sasl.principal() : principal);
        Context previous = context.attach();
        CompletableFuture<Answer> answer;
        try {
            answer = apis.handle(header.apiKey(), header.apiVersion(), request.data(), once(frame));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        } finally {
            context.detach(previous);
        }
        answer.whenComplete(
                (done, failure) -> channel.executor().execute(() -> answered(slot, request, done, failure)));
    }

    /**
     * SaslHandshake and SaslAuthenticate, answered at once from the connection's own state; on a listener
     * without SASL the handshake names no mechanism and authentication is refused. A failed authentication is
     * answered and the connection closed.
     */
    private void authenticate(RequestHeader header, ApiMessage request) {
        InFlight slot = new InFlight(header);
        inFlight.add(slot);
        ApiMessage answer;
        String refusal = null;
        if (request instanceof SaslHandshakeRequestData handshake) {
            answer = sasl != null
                    ? sasl.handshake(handshake)
                    : new SaslHandshakeResponseData().setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        } else if (sasl != null) {
            KafkaSasl.Authenticated authenticated =
                    sasl.authenticate((SaslAuthenticateRequestData) request, System.nanoTime());
            answer = authenticated.answer();
            refusal = authenticated.refusal();
        } else {
            answer = new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("this listener does not authenticate with SASL")
                    .setAuthBytes(new byte[0]);
            refusal = "SaslAuthenticate on a listener without SASL";
        }
        slot.answer = serialize(header.correlationId(), header.apiKey(), header.apiVersion(), answer);
        flush();
        if (refusal != null) {
            String reason = refusal;
            // The answer goes out first, so the client reads why before the connection ends.
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(done -> close(reason));
        }
    }

    /** Releases {@code frame} the first time it runs; the produce path and a failure may both run it. */
    private static Runnable once(ByteBuf frame) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                frame.release();
            }
        };
    }

    /**
     * ApiVersions at a version this listener does not serve gets the versions it does, at version 0 (a client
     * newer than the broker asks again within them); any other API or version closes the connection: the
     * client skipped ApiVersions or ignored its answer.
     */
    private void refuseVersion(RequestHeader header) {
        if (header.apiKey() == ApiKeys.API_VERSIONS) {
            InFlight slot = new InFlight(header);
            inFlight.add(slot);
            slot.answer = serialize(
                    header.correlationId(), ApiKeys.API_VERSIONS, (short) 0, SupportedApis.apiVersions(false));
            flush();
            return;
        }
        close(header.apiKey() + " version " + header.apiVersion() + ", which this listener does not serve");
    }

    private void answered(InFlight slot, AbstractRequest request, Answer answer, Throwable failure) {
        Runnable written = answer == null ? () -> {} : answer.written();
        if (!channel.channel().isActive()) {
            written.run();
            return;
        }
        try {
            RequestHeader header = slot.header;
            ApiMessage body;
            if (failure != null) {
                log.warn("A Kafka {} request from {} failed unexpectedly", header.apiKey(), connection, failure);
                body = request.getErrorResponse(0, failure).data();
            } else {
                body = answer.data();
            }
            slot.answer = body == null
                    ? Unpooled.EMPTY_BUFFER
                    : serialize(header.correlationId(), header.apiKey(), header.apiVersion(), body);
            slot.written = written;
        } catch (RuntimeException e) {
            written.run();
            // An answer that cannot be written would leave the client waiting for it, and every answer after it.
            log.warn("Cannot write the answer to a Kafka {} request from {}", slot.header.apiKey(), connection, e);
            channel.close();
            return;
        }
        flush();
    }

    /** Writes the answers at the head of the line that are ready, then takes waiting frames on. */
    private void flush() {
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peek().answer != null) {
            InFlight answered = inFlight.poll();
            if (answered.answer.isReadable()) {
                // Written or failed (the connection ended), the answer's buffers are no longer read.
                channel.write(answered.answer).addListener(done -> answered.written.run());
                wrote = true;
            } else {
                answered.written.run();
            }
        }
        if (wrote) {
            channel.flush();
        }
        while (inFlight.size() < MAX_IN_FLIGHT
                && !waiting.isEmpty()
                && channel.channel().isActive()) {
            handle(waiting.poll());
        }
        if (waiting.isEmpty() && inFlight.size() < MAX_IN_FLIGHT) {
            channel.channel().config().setAutoRead(true);
        }
    }

    /** The answer's bytes, length prefix included; large record sets are wrapped, not copied ({@link AnswerWriter}). */
    private ByteBuf serialize(int correlationId, ApiKeys api, short version, ApiMessage body) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        short headerVersion = api.responseHeaderVersion(version);
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        AnswerWriter out = AnswerWriter.using(channel.alloc());
        try {
            out.writeInt(size);
            header.write(out, cache, headerVersion);
            body.write(out, cache, version);
            return out.toByteBuf();
        } catch (RuntimeException e) {
            out.discard();
            throw e;
        }
    }

    /**
     * The frame as one direct buffer, which is what the produce path writes to the log without a copy: a view
     * of the frame when it is one direct region, as the default allocator's are, else a direct copy.
     */
    private static ByteBuffer directView(ByteBuf frame) {
        if (frame.isDirect() && frame.nioBufferCount() == 1) {
            return frame.nioBuffer();
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(frame.readableBytes());
        frame.getBytes(frame.readerIndex(), copy);
        return copy.flip();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    private void close(String problem) {
        long suppressed = refusals.suppressedOrLog();
        if (suppressed >= 0) {
            log.warn(
                    "Closing the Kafka connection {}: {}{}",
                    connection,
                    problem,
                    suppressed > 0 ? " (" + suppressed + " other refused connections not logged)" : "");
        }
        channel.close();
    }
}
