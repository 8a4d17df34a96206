package io.ferry.node.internal;

import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.proto.v1.Error;
import io.ferry.security.AclOperation;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Lets through only callers allowed CLUSTER_ACTION on the cluster: installed on the controller service when the
 * authorizer is on, whose every RPC (broker registration, heartbeats, metadata fetches, ISR changes, producer id
 * blocks, the admin calls brokers forward) only brokers make, as Kafka's controller APIs. A refused call ends with
 * PERMISSION_DENIED naming CLUSTER_AUTHORIZATION_FAILED before the service sees any of it. The controller
 * module knows nothing of callers; the node installs this around it.
 */
final class ClusterActionGate implements ServerInterceptor {

    private final BrokerAuthorizer authorizer;

    /** @param authorizer over the controller's own ACLs and the node's {@code super.users} */
    ClusterActionGate(BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.CLUSTER_ACTION);
        if (denied == null) {
            return next.startCall(call, headers);
        }
        call.close(
                Status.PERMISSION_DENIED.withDescription(denied.getCode() + ": " + denied.getMessage()),
                new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
