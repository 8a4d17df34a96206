package io.ferry.node.internal.broker.handler;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.controller.ControllerGateway;
import io.ferry.node.internal.broker.controller.ControllerGateway.ControllerUnavailableException;
import io.ferry.node.internal.broker.metadata.CallerEndpoints;
import io.ferry.node.internal.broker.metrics.BrokerMetrics;
import io.ferry.node.internal.broker.topic.TopicAdmission;
import io.ferry.node.internal.broker.topic.TopicOverrides.InvalidTopicConfigException;
import io.ferry.node.internal.caller.CallerListener;
import io.ferry.proto.v1.AlterClientQuotasRequest;
import io.ferry.proto.v1.AlterClientQuotasResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.CreateAclsRequest;
import io.ferry.proto.v1.CreateAclsResponse;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteAclsRequest;
import io.ferry.proto.v1.DeleteAclsResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeAclsRequest;
import io.ferry.proto.v1.DescribeAclsResponse;
import io.ferry.proto.v1.DescribeClientQuotasRequest;
import io.ferry.proto.v1.DescribeClientQuotasResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.security.AclOperation;
import io.ferry.security.ResourcePattern;
import io.ferry.security.ResourceType;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin calls of {@code ferry.v1.BrokerService}, forwarded to the controller quorum through the
 * {@link ControllerGateway} and answered with the controller's response; NOT_CONTROLLER when no
 * controller answered within {@code request.timeout.ms}. CreateTopic and AlterTopicConfigs are first
 * checked against this broker's topic config rules ({@link TopicAdmission}). A call that changes the
 * cluster and came without an idempotency key gets one here, so the gateway's retries of it are safe
 * (the client's own retries are safe only with the client's key).
 *
 * <p>Asynchronous: a call holds no thread while the controllers decide; its answer is written from the
 * thread the controller's answer arrives on. Thread-safe.
 */
final class AdminCalls {

    private static final Logger log = LoggerFactory.getLogger(AdminCalls.class);

    private static final String IDEMPOTENCY_KEY = "idempotency_key";

    private final ControllerGateway controllers;
    private final TopicAdmission topicAdmission;
    private final Runnable metadataChanged;
    private final BrokerMetrics metrics;
    private final long requestTimeoutMillis;
    private final BrokerAuthorizer authorizer;

    /** @param metadataChanged called after an admin call succeeded, so the view catches up soon */
    AdminCalls(
            ControllerGateway controllers,
            TopicAdmission topicAdmission,
            Runnable metadataChanged,
            BrokerMetrics metrics,
            long requestTimeoutMillis,
            BrokerAuthorizer authorizer) {
        this.authorizer = authorizer;
        this.controllers = controllers;
        this.topicAdmission = topicAdmission;
        this.metadataChanged = metadataChanged;
        this.metrics = metrics;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> observer) {
        Error denied = createTopicDenied(Caller.current(), request.getName());
        if (denied != null) {
            answer(observer, CreateTopicResponse.newBuilder().setError(denied).build());
            return;
        }
        Error internal = InternalTopics.refused(request.getName(), "create");
        if (internal != null) {
            answer(observer, CreateTopicResponse.newBuilder().setError(internal).build());
            return;
        }
        CreateTopicRequest prepared;
        try {
            prepared = topicAdmission.prepare(keyed(request));
        } catch (InvalidTopicConfigException e) {
            answer(
                    observer,
                    CreateTopicResponse.newBuilder()
                            .setError(PartitionLookup.error(ErrorCode.INVALID_CONFIG, e.getMessage()))
                            .build());
            return;
        }
        forward(
                "create_topic",
                observer,
                (stub, answer) -> stub.createTopic(prepared, answer),
                CreateTopicResponse::getError,
                error -> CreateTopicResponse.newBuilder().setError(error).build());
    }

    void alterTopicConfigs(AlterTopicConfigsRequest request, StreamObserver<AlterTopicConfigsResponse> observer) {
        Error denied = authorizer.topic(Caller.current(), AclOperation.ALTER_CONFIGS, request.getName());
        if (denied != null) {
            answer(
                    observer,
                    AlterTopicConfigsResponse.newBuilder().setError(denied).build());
            return;
        }
        try {
            topicAdmission.checkConfigChange(request);
        } catch (InvalidTopicConfigException e) {
            answer(
                    observer,
                    AlterTopicConfigsResponse.newBuilder()
                            .setError(PartitionLookup.error(ErrorCode.INVALID_CONFIG, e.getMessage()))
                            .build());
            return;
        }
        AlterTopicConfigsRequest keyed = keyed(request);
        forward(
                "alter_topic_configs",
                observer,
                (stub, answer) -> stub.alterTopicConfigs(keyed, answer),
                AlterTopicConfigsResponse::getError,
                error -> AlterTopicConfigsResponse.newBuilder().setError(error).build());
    }

    void createPartitions(CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> observer) {
        Error internal = RequestFields.firstOf(
                authorizer.topic(Caller.current(), AclOperation.ALTER, request.getName()),
                InternalTopics.refused(request.getName(), "add partitions to"));
        if (internal != null) {
            answer(
                    observer,
                    CreatePartitionsResponse.newBuilder().setError(internal).build());
            return;
        }
        CreatePartitionsRequest keyed = keyed(request);
        forward(
                "create_partitions",
                observer,
                (stub, answer) -> stub.createPartitions(keyed, answer),
                CreatePartitionsResponse::getError,
                error -> CreatePartitionsResponse.newBuilder().setError(error).build());
    }

    void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> observer) {
        Error internal = RequestFields.firstOf(
                authorizer.topic(Caller.current(), AclOperation.DELETE, request.getName()),
                InternalTopics.refused(request.getName(), "delete"));
        if (internal != null) {
            answer(observer, DeleteTopicResponse.newBuilder().setError(internal).build());
            return;
        }
        DeleteTopicRequest keyed = keyed(request);
        forward(
                "delete_topic",
                observer,
                (stub, answer) -> stub.deleteTopic(keyed, answer),
                DeleteTopicResponse::getError,
                error -> DeleteTopicResponse.newBuilder().setError(error).build());
    }

    void createAcls(CreateAclsRequest request, StreamObserver<CreateAclsResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.ALTER);
        if (denied != null) {
            answer(observer, CreateAclsResponse.newBuilder().setError(denied).build());
            return;
        }
        CreateAclsRequest keyed = keyed(request);
        forward(
                "create_acls",
                observer,
                (stub, answer) -> stub.createAcls(keyed, answer),
                CreateAclsResponse::getError,
                error -> CreateAclsResponse.newBuilder().setError(error).build());
    }

    void deleteAcls(DeleteAclsRequest request, StreamObserver<DeleteAclsResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.ALTER);
        if (denied != null) {
            answer(observer, DeleteAclsResponse.newBuilder().setError(denied).build());
            return;
        }
        DeleteAclsRequest keyed = keyed(request);
        forward(
                "delete_acls",
                observer,
                (stub, answer) -> stub.deleteAcls(keyed, answer),
                DeleteAclsResponse::getError,
                error -> DeleteAclsResponse.newBuilder().setError(error).build());
    }

    void describeAcls(DescribeAclsRequest request, StreamObserver<DescribeAclsResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.DESCRIBE);
        if (denied != null) {
            answer(observer, DescribeAclsResponse.newBuilder().setError(denied).build());
            return;
        }
        forward(
                "describe_acls",
                observer,
                (stub, answer) -> stub.describeAcls(request, answer),
                DescribeAclsResponse::getError,
                error -> DescribeAclsResponse.newBuilder().setError(error).build());
    }

    /**
     * Kafka's AlterUserScramCredentials: ALTER on the cluster. Forwarded without an idempotency key (the
     * controllers would remember the salted passwords with it): a retry by the gateway decides it again, which
     * repeats an upsertion harmlessly and may answer a repeated deletion RESOURCE_NOT_FOUND.
     */
    void alterUserScramCredentials(
            AlterUserScramCredentialsRequest request, StreamObserver<AlterUserScramCredentialsResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.ALTER);
        if (denied != null) {
            answer(
                    observer,
                    AlterUserScramCredentialsResponse.newBuilder()
                            .setError(denied)
                            .build());
            return;
        }
        forward(
                "alter_user_scram_credentials",
                observer,
                (stub, answer) -> stub.alterUserScramCredentials(request, answer),
                AlterUserScramCredentialsResponse::getError,
                error -> AlterUserScramCredentialsResponse.newBuilder()
                        .setError(error)
                        .build());
    }

    void alterClientQuotas(AlterClientQuotasRequest request, StreamObserver<AlterClientQuotasResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.ALTER_CONFIGS);
        if (denied != null) {
            answer(
                    observer,
                    AlterClientQuotasResponse.newBuilder().setError(denied).build());
            return;
        }
        AlterClientQuotasRequest keyed = keyed(request);
        forward(
                "alter_client_quotas",
                observer,
                (stub, answer) -> stub.alterClientQuotas(keyed, answer),
                AlterClientQuotasResponse::getError,
                error -> AlterClientQuotasResponse.newBuilder().setError(error).build());
    }

    void describeClientQuotas(
            DescribeClientQuotasRequest request, StreamObserver<DescribeClientQuotasResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.DESCRIBE_CONFIGS);
        if (denied != null) {
            answer(
                    observer,
                    DescribeClientQuotasResponse.newBuilder().setError(denied).build());
            return;
        }
        forward(
                "describe_client_quotas",
                observer,
                (stub, answer) -> stub.describeClientQuotas(request, answer),
                DescribeClientQuotasResponse::getError,
                error -> DescribeClientQuotasResponse.newBuilder()
                        .setError(error)
                        .build());
    }

    void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> observer) {
        // Decided on the call's thread, applied to the answer on the thread it arrives on.
        Caller caller = Caller.current();
        StreamObserver<DescribeTopicsResponse> forCaller =
                changing(observer, described -> describable(caller, request, described));
        forward(
                "describe_topics",
                forCaller,
                (stub, answer) -> stub.describeTopics(request, answer),
                r -> r.getTopicsList().stream()
                        .map(TopicDescription::getError)
                        .filter(e -> e.getCode() == ErrorCode.NOT_CONTROLLER)
                        .findFirst()
                        .orElse(Error.getDefaultInstance()),
                error -> DescribeTopicsResponse.newBuilder()
                        .addTopics(TopicDescription.newBuilder().setError(error))
                        .build());
    }

    void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> observer) {
        Error denied = authorizer.cluster(Caller.current(), AclOperation.DESCRIBE);
        if (denied != null) {
            answer(
                    observer,
                    DescribeClusterResponse.newBuilder().setError(denied).build());
            return;
        }
        // Read on the call's thread: the answer is written from another one, without the call's context.
        boolean external = CallerListener.isExternal();
        StreamObserver<DescribeClusterResponse> forCaller = changing(
                observer,
                cluster -> cluster.toBuilder()
                        .clearBrokers()
                        .addAllBrokers(cluster.getBrokersList().stream()
                                .map(broker -> CallerEndpoints.forCaller(broker, external))
                                .toList())
                        .build());
        forward(
                "describe_cluster",
                forCaller,
                (stub, answer) -> stub.describeCluster(request, answer),
                DescribeClusterResponse::getError,
                error -> DescribeClusterResponse.newBuilder().setError(error).build());
    }

    /** {@code observer}, answered with {@code change} applied to each answer. */
    private static <R> StreamObserver<R> changing(StreamObserver<R> observer, UnaryOperator<R> change) {
        return new StreamObserver<>() {
            @Override
            public void onNext(R answer) {
                observer.onNext(change.apply(answer));
            }

            @Override
            public void onError(Throwable t) {
                observer.onError(t);
            }

            @Override
            public void onCompleted() {
                observer.onCompleted();
            }
        };
    }

    /** Kafka's CreateTopics check: CREATE on the cluster, or else on the topic. */
    private Error createTopicDenied(Caller caller, String topic) {
        if (authorizer.allows(caller, AclOperation.CREATE, ResourceType.CLUSTER, ResourcePattern.CLUSTER_NAME)) {
            return null;
        }
        return authorizer.topic(caller, AclOperation.CREATE, topic);
    }

    /**
     * The topics of the answer the caller may DESCRIBE: one it named but may not describe is
     * TOPIC_AUTHORIZATION_FAILED (whether it exists or not), one it did not name (all topics asked for) is left
     * out, as Kafka's DescribeTopicPartitions; a topic's configs are left out unless the caller may
     * DESCRIBE_CONFIGS it.
     */
    private DescribeTopicsResponse describable(
            Caller caller, DescribeTopicsRequest request, DescribeTopicsResponse described) {
        DescribeTopicsResponse.Builder answer = described.toBuilder().clearTopics();
        for (TopicDescription topic : described.getTopicsList()) {
            if (topic.getName().isEmpty()
                    || authorizer.allows(caller, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.getName())) {
                // Its configs only with DESCRIBE_CONFIGS, which Kafka's DescribeConfigs needs.
                answer.addTopics(
                        topic.getName().isEmpty()
                                        || authorizer.allows(
                                                caller,
                                                AclOperation.DESCRIBE_CONFIGS,
                                                ResourceType.TOPIC,
                                                topic.getName())
                                ? topic
                                : topic.toBuilder()
                                        .setTopic(topic.getTopic().toBuilder().clearConfigs())
                                        .build());
            } else if (request.getNamesList().contains(topic.getName())) {
                answer.addTopics(TopicDescription.newBuilder()
                        .setName(topic.getName())
                        .setError(authorizer.refuse(
                                caller,
                                AclOperation.DESCRIBE,
                                ResourceType.TOPIC,
                                topic.getName(),
                                ErrorCode.TOPIC_AUTHORIZATION_FAILED)));
            }
        }
        return answer.build();
    }

    /**
     * Forwards an admin call and answers it when the controllers have: with their response, or
     * NOT_CONTROLLER naming why none answered in time.
     */
    private <R> void forward(
            String name,
            StreamObserver<R> observer,
            ControllerGateway.Rpc<R> rpc,
            Function<R, Error> errorOf,
            Function<Error, R> failed) {
        long start = System.nanoTime();
        controllers.call(name, rpc, errorOf, requestTimeoutMillis).whenComplete((response, thrown) -> {
            try {
                if (thrown == null) {
                    if (errorOf.apply(response).getCode() == ErrorCode.NONE) {
                        metadataChanged.run();
                    }
                    answer(observer, response);
                } else if (unwrap(thrown) instanceof ControllerUnavailableException e) {
                    answer(observer, failed.apply(PartitionLookup.error(ErrorCode.NOT_CONTROLLER, e.getMessage())));
                } else {
                    log.warn("Forwarding {} to the controllers failed unexpectedly", name, thrown);
                    observer.onError(Status.INTERNAL
                            .withDescription("the broker failed to forward the request: " + unwrap(thrown))
                            .asRuntimeException());
                }
            } finally {
                metrics.request(name).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    /**
     * {@code request} with an idempotency key of its own when its client sent none. Every request that
     * changes the cluster has the field {@value #IDEMPOTENCY_KEY}.
     */
    @SuppressWarnings("unchecked")
    private static <M extends Message> M keyed(M request) {
        FieldDescriptor key = request.getDescriptorForType().findFieldByName(IDEMPOTENCY_KEY);
        if (!((String) request.getField(key)).isEmpty()) {
            return request;
        }
        return (M)
                request.toBuilder().setField(key, UUID.randomUUID().toString()).build();
    }

    private static Throwable unwrap(Throwable thrown) {
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    private static <R> void answer(StreamObserver<R> observer, R response) {
        observer.onNext(response);
        observer.onCompleted();
    }
}
