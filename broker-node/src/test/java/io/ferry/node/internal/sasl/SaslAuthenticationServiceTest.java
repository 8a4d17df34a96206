package io.ferry.node.internal.sasl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.SaslAuthenticateRequest;
import io.ferry.proto.v1.SaslAuthenticateResponse;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.scram.ScramClientExchange;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import io.ferry.security.scram.UnknownUserCredentials;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Authenticate stream's checks of what a caller sends, and its bounds, on a loopback server. */
class SaslAuthenticationServiceTest {

    private static final ScramCredential ALICE =
            new ScramFunctions(ScramMechanism.SCRAM_SHA_512).credential("alice-secret", ScramFunctions.newSalt(), 4096);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SaslSessions sessions = new SaslSessions(60_000, System::nanoTime);
    private Loopback loopback;

    private void start(long exchangeTimeoutMillis) throws Exception {
        loopback = Loopback.start(server -> server.addService(new SaslAuthenticationService(
                (user, mechanism) -> user.equals("alice") ? Optional.of(ALICE) : Optional.empty(),
                sessions,
                Set.of(ScramMechanism.SCRAM_SHA_512),
                UnknownUserCredentials.withRandomSecret(),
                timer,
                exchangeTimeoutMillis)));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loopback != null) {
            loopback.close();
        }
        timer.shutdownNow();
    }

    /** One Authenticate stream, recording what the broker answers and how it ends. */
    private final class Stream extends RecordingObserver<SaslAuthenticateResponse>
            implements ClientResponseObserver<SaslAuthenticateRequest, SaslAuthenticateResponse> {
        ClientCallStreamObserver<SaslAuthenticateRequest> requests;

        Stream() {
            SaslAuthenticationGrpc.newStub(loopback.channel()).authenticate(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SaslAuthenticateRequest> requests) {
            this.requests = requests;
        }

        Stream send(String mechanism, ByteString authBytes) {
            requests.onNext(SaslAuthenticateRequest.newBuilder()
                    .setMechanism(mechanism)
                    .setAuthBytes(authBytes)
                    .build());
            return this;
        }

        Status status() throws Exception {
            return end.get(30, TimeUnit.SECONDS);
        }
    }

    private static String clientFirst() {
        return new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, "alice", "x").clientFirst();
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private static void assertRefused(Status.Code code, String naming, Status status) {
        assertEquals(code, status.getCode(), status.toString());
        assertTrue(status.getDescription().contains(naming), status.toString());
    }

    @Test
    void aFullExchangeAnswersWithALiveSessionToken() throws Exception {
        start(10_000);
        ScramClientExchange scram = new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, "alice", "alice-secret");
        Stream stream = new Stream().send("SCRAM-SHA-512", utf8(scram.clientFirst()));
        await().atMost(Duration.ofSeconds(30)).until(() -> stream.answers.size() == 1);
        stream.send(
                "",
                utf8(scram.receiveServerFirst(
                        stream.answers.get(0).getAuthBytes().toStringUtf8())));

        assertEquals(Status.Code.OK, stream.status().getCode());
        SaslAuthenticateResponse last = stream.answers.get(1);
        scram.receiveServerFinal(last.getAuthBytes().toStringUtf8());
        assertEquals(60_000, last.getSessionLifetimeMs());
        assertEquals(
                "User:alice",
                sessions.find(last.getSessionToken()).principal().orElseThrow().toString());
    }

    @Test
    void fieldsTheProtocolDoesNotAllowAreRefusedNamingTheField() throws Exception {
        start(10_000);
        String clientFirst = new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, "alice", "x").clientFirst();

        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "mechanism",
                new Stream().send("PLAIN", utf8(clientFirst)).status());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "auth_bytes",
                new Stream().send("SCRAM-SHA-512", ByteString.EMPTY).status());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "auth_bytes",
                new Stream()
                        .send("SCRAM-SHA-512", utf8("n,,n=alice,r=" + "a".repeat(5000)))
                        .status());
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "auth_bytes: not UTF-8",
                new Stream()
                        .send("SCRAM-SHA-512", ByteString.copyFrom(new byte[] {'n', ',', ',', (byte) 0xff}))
                        .status());
        Stream again = new Stream().send("SCRAM-SHA-512", utf8(clientFirst));
        await().atMost(Duration.ofSeconds(30)).until(() -> again.answers.size() == 1);
        assertRefused(
                Status.Code.INVALID_ARGUMENT,
                "mechanism",
                again.send("SCRAM-SHA-512", utf8("c=biws")).status());
    }

    @Test
    void aMalformedScramMessageFailsInTheSameWordsAsAWrongPassword() throws Exception {
        start(10_000);

        Status malformed = new Stream()
                .send("SCRAM-SHA-512", utf8("p=tls-unique,,n=alice,r=abc"))
                .status();

        assertRefused(Status.Code.UNAUTHENTICATED, SaslAuthenticationService.AUTHENTICATION_FAILED, malformed);
    }

    @Test
    void anExchangeThatStallsIsEndedAndItsSlotFreed() throws Exception {
        start(200);
        String clientFirst = new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, "alice", "x").clientFirst();

        Status stalled = new Stream().send("SCRAM-SHA-512", utf8(clientFirst)).status();

        assertEquals(Status.Code.DEADLINE_EXCEEDED, stalled.getCode(), stalled.toString());
    }

    @Test
    void exchangesInProgressAreBounded() throws Exception {
        start(60_000);
        List<Stream> open = new ArrayList<>();
        for (int i = 0; i < SaslAuthenticationService.MAX_EXCHANGES_IN_PROGRESS; i++) {
            open.add(new Stream().send("SCRAM-SHA-512", utf8(clientFirst())));
        }
        // Every exchange is in progress once each has answered its client-first message.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> open.stream().allMatch(stream -> stream.answers.size() == 1));

        assertRefused(Status.Code.RESOURCE_EXHAUSTED, "too many authentications", new Stream().status());

        open.get(0).requests.cancel("done", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Stream next = new Stream()
                    .send(
                            "SCRAM-SHA-512",
                            utf8(new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, "a", "x").clientFirst()));
            await().atMost(Duration.ofSeconds(30)).until(() -> next.end.isDone() || next.answers.size() == 1);
            return next.answers.size() == 1;
        });
    }
}
