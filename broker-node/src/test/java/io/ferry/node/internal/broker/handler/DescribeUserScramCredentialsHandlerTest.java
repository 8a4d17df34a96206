package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.controller.ScramProtos;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.DescribeUserScramCredentialsRequest;
import io.ferry.proto.v1.DescribeUserScramCredentialsResponse;
import io.ferry.proto.v1.DescribeUserScramCredentialsResult;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.ScramCredentialInfo;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** DescribeUserScramCredentials from a broker's view, with Kafka's per-user errors. */
class DescribeUserScramCredentialsHandlerTest {

    private static final BrokerMetadata VIEW = BrokerMetadata.EMPTY.apply(FetchMetadataResponse.newBuilder()
            .setMetadataVersion(9)
            .setImage(MetadataImage.newBuilder()
                    .setVersion(9)
                    .addScramCredentials(credential("bob", 8192))
                    .addScramCredentials(credential("alice", ScramMechanism.MIN_ITERATIONS)))
            .build());

    private final DescribeUserScramCredentialsHandler handler =
            new DescribeUserScramCredentialsHandler(() -> VIEW, BrokerAuthorizer.allowingEverything());

    private static UserScramCredentialRecord credential(String user, int iterations) {
        return ScramProtos.record(
                user,
                new ScramFunctions(ScramMechanism.SCRAM_SHA_512)
                        .credential(user + "-secret", ScramFunctions.newSalt(), iterations));
    }

    private DescribeUserScramCredentialsResponse describe(String... users) {
        return handler.handle(DescribeUserScramCredentialsRequest.newBuilder()
                .addAllUsers(List.of(users))
                .build());
    }

    @Test
    void noNamesDescribesEveryUserByNameWithMechanismAndIterationsOnly() {
        DescribeUserScramCredentialsResponse all = describe();
        assertEquals(ErrorCode.NONE, all.getError().getCode());
        assertEquals(9, all.getMetadataVersion());
        assertEquals(
                List.of("alice", "bob"),
                all.getResultsList().stream()
                        .map(DescribeUserScramCredentialsResult::getUser)
                        .toList());
        assertEquals(
                List.of(ScramCredentialInfo.newBuilder()
                        .setMechanism("SCRAM-SHA-512")
                        .setIterations(8192)
                        .build()),
                all.getResults(1).getCredentialInfosList());
    }

    @Test
    void aUserNamedTwiceIsADuplicateAndOneWithoutCredentialIsNotFound() {
        DescribeUserScramCredentialsResponse named = describe("alice", "nobody", "bob", "bob");
        assertEquals(
                List.of(ErrorCode.NONE, ErrorCode.DUPLICATE_RESOURCE, ErrorCode.RESOURCE_NOT_FOUND),
                named.getResultsList().stream().map(r -> r.getError().getCode()).toList());
        assertEquals(0, named.getResults(1).getCredentialInfosCount());
    }

    @Test
    void moreThanAThousandNamesAreRefused() {
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                describe(IntStream.rangeClosed(0, DescribeUserScramCredentialsHandler.MAX_USERS)
                                .mapToObj(i -> "u" + i)
                                .toArray(String[]::new))
                        .getError()
                        .getCode());
    }
}
