package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.DescribeUserScramCredentialsRequest;
import io.ferry.proto.v1.DescribeUserScramCredentialsResponse;
import io.ferry.proto.v1.DescribeUserScramCredentialsResult;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ScramCredentialInfo;
import io.ferry.security.AclOperation;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Kafka's DescribeUserScramCredentials, answered from this broker's metadata view as Kafka's brokers answer it
 * from their metadata cache: DESCRIBE on the cluster, then per user the mechanisms and iterations of its
 * credentials, never a salt or key. A user named twice is DUPLICATE_RESOURCE, one without credential
 * RESOURCE_NOT_FOUND. Answered at once. Thread-safe.
 */
final class DescribeUserScramCredentialsHandler {

    /** Most user names one request may carry. */
    static final int MAX_USERS = 1000;

    private final Supplier<BrokerMetadata> metadata;
    private final BrokerAuthorizer authorizer;

    DescribeUserScramCredentialsHandler(Supplier<BrokerMetadata> metadata, BrokerAuthorizer authorizer) {
        this.metadata = metadata;
        this.authorizer = authorizer;
    }

    DescribeUserScramCredentialsResponse handle(DescribeUserScramCredentialsRequest request) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.DESCRIBE);
        if (denied != null) {
            return DescribeUserScramCredentialsResponse.newBuilder()
                    .setError(denied)
                    .build();
        }
        if (request.getUsersCount() > MAX_USERS) {
            return DescribeUserScramCredentialsResponse.newBuilder()
                    .setError(PartitionLookup.error(
                            ErrorCode.INVALID_REQUEST,
                            "users has " + request.getUsersCount() + " entries; at most " + MAX_USERS + " are allowed"))
                    .build();
        }
        BrokerMetadata view = metadata.get();
        // User → named more than once; by name, as the answer lists them.
        Map<String, Boolean> named = new TreeMap<>();
        if (request.getUsersCount() == 0) {
            view.scramCredentials().values().forEach(users -> users.keySet().forEach(u -> named.put(u, false)));
        }
        request.getUsersList().forEach(user -> named.merge(user, false, (once, again) -> true));
        DescribeUserScramCredentialsResponse.Builder response = DescribeUserScramCredentialsResponse.newBuilder()
                .setError(PartitionLookup.NO_ERROR)
                .setMetadataVersion(view.version());
        named.forEach((user, twice) -> response.addResults(described(view, user, twice)));
        return response.build();
    }

    private static DescribeUserScramCredentialsResult described(BrokerMetadata view, String user, boolean twice) {
        DescribeUserScramCredentialsResult.Builder result =
                DescribeUserScramCredentialsResult.newBuilder().setUser(user);
        if (twice) {
            return result.setError(PartitionLookup.error(
                            ErrorCode.DUPLICATE_RESOURCE,
                            "cannot describe SCRAM credentials for the same user twice in a single request"))
                    .build();
        }
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            view.scramCredential(user, mechanism)
                    .map(ScramCredential::iterations)
                    .ifPresent(iterations -> result.addCredentialInfos(ScramCredentialInfo.newBuilder()
                            .setMechanism(mechanism.mechanismName())
                            .setIterations(iterations)));
        }
        return result.setError(
                        result.getCredentialInfosCount() > 0
                                ? PartitionLookup.NO_ERROR
                                : PartitionLookup.error(
                                        ErrorCode.RESOURCE_NOT_FOUND,
                                        "attempt to describe a user credential that does not exist"))
                .build();
    }
}
