package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.broker.handler.BrokerGrpcService;
import io.ferry.node.internal.broker.handler.GroupGrpcService;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FindCoordinatorRequest;
import io.ferry.proto.v1.FindCoordinatorResponse;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Serves each Kafka API the listener offers ({@link SupportedApis}) by translating the request into Ferry's,
 * handing it to the broker's own service, the one the gRPC port runs, and translating the answer back. Called
 * on the connection's network thread, inside a gRPC {@link io.grpc.Context} that carries the caller (its
 * connection, principal and client id) as the gRPC port's calls do. Thread-safe.
 */
final class KafkaApis {

    /** FindCoordinator's key types (Kafka's {@code CoordinatorType}): only groups have coordinators here. */
    private static final byte GROUP_KEY = 0;

    private final BrokerGrpcService broker;
    private final GroupGrpcService groups;
    private final Supplier<BrokerMetadata> metadata;
    private final TopicIds topicIds;

    KafkaApis(BrokerGrpcService broker, GroupGrpcService groups, Supplier<BrokerMetadata> metadata) {
        this.broker = broker;
        this.groups = groups;
        this.metadata = metadata;
        this.topicIds = new TopicIds(metadata);
    }

    /**
     * The answer to {@code request}, an API and version {@link SupportedApis} serves.
     *
     * @param release gives back the buffer {@code request} was read from; a Produce hands it to the log path,
     *                which runs it when the log is done with its record slices, every other API runs it here
     */
    CompletableFuture<Answer> handle(ApiKeys api, short version, ApiMessage request, Runnable release) {
        if (api == ApiKeys.PRODUCE) {
            return produce((ProduceRequestData) request, release);
        }
        release.run();
        return switch (api) {
            case API_VERSIONS -> CompletableFuture.completedFuture(Answer.of(SupportedApis.apiVersions(true)));
            case METADATA -> metadata((MetadataRequestData) request);
            case FETCH -> fetch((FetchRequestData) request);
            case LIST_OFFSETS -> listOffsets((ListOffsetsRequestData) request);
            case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequestData) request);
            case FIND_COORDINATOR -> findCoordinator((FindCoordinatorRequestData) request, version);
            case CONSUMER_GROUP_HEARTBEAT -> heartbeat((ConsumerGroupHeartbeatRequestData) request);
            case OFFSET_COMMIT -> offsetCommit((OffsetCommitRequestData) request);
            case OFFSET_FETCH -> offsetFetch((OffsetFetchRequestData) request, version);
            default -> throw new IllegalArgumentException("the Kafka listener does not serve " + api);
        };
    }

    private CompletableFuture<Answer> produce(ProduceRequestData kafka, Runnable release) {
        Acks acks = KafkaProduce.acks(kafka.acks());
        if (acks == null || kafka.transactionalId() != null) {
            release.run();
            return CompletableFuture.completedFuture(Answer.of(
                    acks == null
                            ? KafkaProduce.refused(
                                    kafka,
                                    Errors.INVALID_REQUIRED_ACKS,
                                    "acks is " + kafka.acks() + "; it must be -1 (all), 0 or 1")
                            : KafkaProduce.refused(
                                    kafka,
                                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                                    "Ferry has no transactions: produce without transactional.id")));
        }
        GrpcReply<io.ferry.proto.v1.ProduceResponse> reply = new GrpcReply<>();
        broker.produce(KafkaProduce.request(kafka, acks, release), reply);
        // The produce path gives the buffer back once the log is done with it; one that failed may not have.
        reply.answer().whenComplete((response, failure) -> {
            if (failure != null) {
                release.run();
            }
        });
        if (acks == Acks.ACKS_NONE) {
            // Kafka's producer with acks=0 reads no answer; the append goes on all the same.
            return CompletableFuture.completedFuture(Answer.NONE);
        }
        return reply.answer().thenApply(response -> Answer.of(KafkaProduce.response(response)));
    }

    private CompletableFuture<Answer> metadata(MetadataRequestData kafka) {
        GrpcReply<io.ferry.proto.v1.MetadataResponse> reply = new GrpcReply<>();
        broker.metadata(KafkaMetadata.request(kafka), reply);
        return answered(reply, response -> KafkaMetadata.response(kafka, response));
    }

    private CompletableFuture<Answer> fetch(FetchRequestData kafka) {
        if (KafkaFetch.namesASession(kafka)) {
            return CompletableFuture.completedFuture(Answer.of(KafkaFetch.sessionNotFound()));
        }
        GrpcReply<io.ferry.proto.v1.FetchResponse> reply = new GrpcReply<>();
        broker.fetch(KafkaFetch.request(kafka), reply);
        reply.answer().whenComplete((response, failure) -> {
            if (failure != null) {
                reply.ended();
            }
        });
        return reply.answer().thenApply(response -> new Answer(KafkaFetch.response(response), reply::ended));
    }

    private CompletableFuture<Answer> listOffsets(ListOffsetsRequestData kafka) {
        GrpcReply<io.ferry.proto.v1.ListOffsetsResponse> reply = new GrpcReply<>();
        broker.listOffsets(KafkaListOffsets.request(kafka), reply);
        return answered(reply, KafkaListOffsets::response);
    }

    private CompletableFuture<Answer> initProducerId(InitProducerIdRequestData kafka) {
        if (kafka.transactionalId() != null) {
            return CompletableFuture.completedFuture(Answer.of(new InitProducerIdResponseData()
                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1)));
        }
        GrpcReply<InitProducerIdResponse> reply = new GrpcReply<>();
        broker.initProducerId(InitProducerIdRequest.newBuilder().build(), reply);
        return answered(
                reply,
                response -> new InitProducerIdResponseData()
                        .setErrorCode(KafkaErrors.of(response.getError()).code())
                        .setProducerId(response.getProducerId())
                        .setProducerEpoch((short) response.getProducerEpoch()));
    }

    /**
     * The coordinator of each group named: the broker Ferry's FindCoordinator names, at its Kafka listener.
     * Versions before 4 name one key and answer at the top level; later ones a list.
     */
    private CompletableFuture<Answer> findCoordinator(FindCoordinatorRequestData kafka, short version) {
        List<String> keys = version < 4 ? List.of(kafka.key()) : kafka.coordinatorKeys();
        List<CompletableFuture<FindCoordinatorResponseData.Coordinator>> found = new ArrayList<>();
        for (String key : keys) {
            if (kafka.keyType() != GROUP_KEY) {
                found.add(CompletableFuture.completedFuture(new FindCoordinatorResponseData.Coordinator()
                        .setKey(key)
                        .setNodeId(-1)
                        .setHost("")
                        .setPort(-1)
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Ferry coordinates consumer groups only (key type 0), not key type "
                                + kafka.keyType())));
                continue;
            }
            GrpcReply<FindCoordinatorResponse> reply = new GrpcReply<>();
            groups.findCoordinator(
                    FindCoordinatorRequest.newBuilder().setGroupId(key).build(), reply);
            found.add(reply.answer().thenApply(response -> coordinator(key, response)));
        }
        return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new)).thenApply(all -> {
            List<FindCoordinatorResponseData.Coordinator> coordinators =
                    found.stream().map(CompletableFuture::join).toList();
            if (version >= 4) {
                return Answer.of(new FindCoordinatorResponseData().setCoordinators(coordinators));
            }
            FindCoordinatorResponseData.Coordinator only = coordinators.get(0);
            return Answer.of(new FindCoordinatorResponseData()
                    .setErrorCode(only.errorCode())
                    .setErrorMessage(only.errorMessage())
                    .setNodeId(only.nodeId())
                    .setHost(only.host())
                    .setPort(only.port()));
        });
    }

    private FindCoordinatorResponseData.Coordinator coordinator(String key, FindCoordinatorResponse ferry) {
        FindCoordinatorResponseData.Coordinator coordinator = new FindCoordinatorResponseData.Coordinator()
                .setKey(key)
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
        Errors error = KafkaErrors.of(ferry.getError());
        if (error != Errors.NONE) {
            return coordinator
                    .setErrorCode(error.code())
                    .setErrorMessage(ferry.getError().getMessage());
        }
        BrokerRegistration broker = metadata.get().brokers().get(ferry.getNodeId());
        Optional<Endpoint> endpoint = broker == null
                ? Optional.empty()
                : broker.getEndpointsList().stream()
                        .filter(e -> e.getName().equals(KafkaListener.ENDPOINT))
                        .findFirst();
        if (endpoint.isEmpty()) {
            return coordinator
                    .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage("the coordinator, broker " + ferry.getNodeId() + ", has no Kafka listener");
        }
        return coordinator
                .setNodeId(ferry.getNodeId())
                .setHost(endpoint.get().getHost())
                .setPort(endpoint.get().getPort());
    }

    private CompletableFuture<Answer> heartbeat(ConsumerGroupHeartbeatRequestData kafka) {
        GrpcReply<ConsumerGroupHeartbeatResponse> reply = new GrpcReply<>();
        groups.consumerGroupHeartbeat(KafkaGroups.heartbeat(kafka, topicIds), reply);
        return answered(reply, response -> KafkaGroups.heartbeat(response, topicIds));
    }

    private CompletableFuture<Answer> offsetCommit(OffsetCommitRequestData kafka) {
        GrpcReply<OffsetCommitResponse> reply = new GrpcReply<>();
        groups.offsetCommit(KafkaGroups.offsetCommit(kafka), reply);
        return answered(reply, response -> KafkaGroups.offsetCommit(kafka, response));
    }

    /** Up to version 7 one group; from 8 a list of them, each fetched on its own. */
    private CompletableFuture<Answer> offsetFetch(OffsetFetchRequestData kafka, short version) {
        if (version < 8) {
            GrpcReply<OffsetFetchResponse> reply = new GrpcReply<>();
            groups.offsetFetch(KafkaGroups.offsetFetch(kafka.groupId(), KafkaGroups.topicsOf(kafka.topics())), reply);
            return answered(reply, KafkaGroups::offsetFetch);
        }
        List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> fetched = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : kafka.groups()) {
            GrpcReply<OffsetFetchResponse> reply = new GrpcReply<>();
            groups.offsetFetch(
                    KafkaGroups.offsetFetch(group.groupId(), KafkaGroups.groupTopicsOf(group.topics())), reply);
            fetched.add(reply.answer().thenApply(response -> KafkaGroups.offsetFetchGroup(group.groupId(), response)));
        }
        return CompletableFuture.allOf(fetched.toArray(CompletableFuture[]::new))
                .thenApply(all -> Answer.of(new OffsetFetchResponseData()
                        .setGroups(fetched.stream().map(CompletableFuture::join).toList())));
    }

    private static <T> CompletableFuture<Answer> answered(GrpcReply<T> reply, Function<T, ApiMessage> translation) {
        return reply.answer().thenApply(response -> Answer.of(translation.apply(response)));
    }
}
