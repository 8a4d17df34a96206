package io.ferry.node.sasl;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.SaslAuthenticateRequest;
import io.ferry.proto.v1.SaslAuthenticateResponse;
import io.ferry.proto.v1.SaslAuthenticationGrpc;
import io.ferry.security.scram.ScramClientExchange;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A SCRAM exchange over the raw RPC, as a client without Ferry's library runs it: the session token. */
final class RawScram {

    private RawScram() {}

    /**
     * The token of a new session.
     *
     * @throws ExecutionException with the broker's StatusRuntimeException as cause, when it refuses
     */
    static String authenticate(Channel channel, String user, String password) throws Exception {
        ScramClientExchange scram = new ScramClientExchange(ScramMechanism.SCRAM_SHA_512, user, password);
        CompletableFuture<String> token = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        StreamObserver<SaslAuthenticateRequest>[] requests = new StreamObserver[1];
        requests[0] = SaslAuthenticationGrpc.newStub(channel).authenticate(new StreamObserver<>() {
            private int answers;

            @Override
            public void onNext(SaslAuthenticateResponse response) {
                try {
                    if (answers++ == 0) {
                        requests[0].onNext(SaslAuthenticateRequest.newBuilder()
                                .setAuthBytes(ByteString.copyFromUtf8(scram.receiveServerFirst(
                                        response.getAuthBytes().toStringUtf8())))
                                .build());
                    } else {
                        scram.receiveServerFinal(response.getAuthBytes().toStringUtf8());
                        token.complete(response.getSessionToken());
                        requests[0].onCompleted();
                    }
                } catch (Exception e) {
                    token.completeExceptionally(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                token.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        });
        requests[0].onNext(SaslAuthenticateRequest.newBuilder()
                .setMechanism("SCRAM-SHA-512")
                .setAuthBytes(ByteString.copyFromUtf8(scram.clientFirst()))
                .build());
        return token.get(30, TimeUnit.SECONDS);
    }
}
