package io.ferry.node.internal.sasl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.security.Principal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stream opened within a session does not outlive it. */
class SessionPrincipalTest {

    private final AtomicLong now = new AtomicLong();
    private final SaslSessions sessions = new SaslSessions(60_000, now::get);
    /** What the handler saw end its request stream: the client's end, or a cancellation. */
    private final CompletableFuture<String> handlerSaw = new CompletableFuture<>();

    private final AtomicInteger answered = new AtomicInteger();
    private Loopback loopback;

    @BeforeEach
    void start() throws Exception {
        BrokerServiceGrpc.BrokerServiceImplBase echo = new BrokerServiceGrpc.BrokerServiceImplBase() {
            @Override
            public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> responses) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(ProduceRequest request) {
                        answered.incrementAndGet();
                        responses.onNext(ProduceResponse.getDefaultInstance());
                    }

                    @Override
                    public void onError(Throwable t) {
                        handlerSaw.complete("cancelled");
                    }

                    @Override
                    public void onCompleted() {
                        handlerSaw.complete("completed");
                        responses.onCompleted();
                    }
                };
            }
        };
        loopback = Loopback.start(server -> server.addService(echo).intercept(new SessionPrincipal(sessions)));
    }

    @AfterEach
    void stop() throws InterruptedException {
        loopback.close();
    }

    @Test
    void theFirstRequestAfterTheSessionEndedEndsTheStreamUnauthenticated() throws Exception {
        Metadata headers = new Metadata();
        headers.put(
                SessionPrincipal.SESSION_HEADER,
                sessions.open(Principal.user("alice")).orElseThrow().token());
        RecordingObserver<ProduceResponse> answers = new RecordingObserver<>();
        StreamObserver<ProduceRequest> requests = BrokerServiceGrpc.newStub(loopback.channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .produceStream(answers);
        requests.onNext(ProduceRequest.getDefaultInstance());
        await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() == 1);

        now.addAndGet(TimeUnit.MINUTES.toNanos(1));
        requests.onNext(ProduceRequest.getDefaultInstance());

        Status status = answers.end.get(30, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains("requires a session"), status.toString());
        assertEquals("cancelled", handlerSaw.get(30, TimeUnit.SECONDS));
        assertEquals(1, answered.get(), "the request after the session's end never reached the handler");
    }
}
