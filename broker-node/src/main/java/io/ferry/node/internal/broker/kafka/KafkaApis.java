package io.ferry.node.internal.broker.kafka;

import io.ferry.node.internal.broker.handler.BrokerGrpcService;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
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

    private final BrokerGrpcService broker;

    KafkaApis(BrokerGrpcService broker) {
        this.broker = broker;
    }

    /**
     * The answer to {@code request}, an API and version {@link SupportedApis} serves.
     *
     * @param release gives back the buffer {@code request} was read from; a Produce hands it to the log path,
     *                which runs it when the log is done with its record slices, every other API runs it here
     */
    CompletableFuture<Answer> handle(ApiKeys api, ApiMessage request, Runnable release) {
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

    private static <T> CompletableFuture<Answer> answered(GrpcReply<T> reply, Function<T, ApiMessage> translation) {
        return reply.answer().thenApply(response -> Answer.of(translation.apply(response)));
    }
}
