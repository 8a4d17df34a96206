package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.controller.ControllerGateway.ControllerUnavailableException;
import io.ferry.node.internal.broker.controller.ProducerIdBlocks;
import io.ferry.node.internal.broker.controller.ProducerIdBlocks.BlockRefusedException;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId: a new producer id from this broker's {@link ProducerIdBlocks}, at epoch 0, for an idempotent
 * producer. Transactions are not supported, so a transactional id is refused. While no block can be had the
 * answer is retriable: NOT_CONTROLLER when no controller answered, BROKER_FENCED when the controllers give
 * this broker no ids (not registered yet, or fenced). A call waiting for a block holds no thread. Thread-safe.
 */
final class InitProducerIdHandler {

    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final ProducerIdBlocks blocks;

    InitProducerIdHandler(ProducerIdBlocks blocks) {
        this.blocks = blocks;
    }

    void handle(InitProducerIdRequest request, Consumer<InitProducerIdResponse> respond) {
        Error invalid = RequestFields.firstOf(
                transactionalId(request.getTransactionalId()),
                RequestFields.nonNegative("transaction_timeout_ms", request.getTransactionTimeoutMs()));
        if (invalid != null) {
            respond.accept(failed(invalid));
            return;
        }
        blocks.nextId()
                .whenComplete((id, thrown) -> respond.accept(
                        thrown == null
                                ? InitProducerIdResponse.newBuilder()
                                        .setError(PartitionLookup.NO_ERROR)
                                        .setProducerId(id)
                                        .setProducerEpoch(0)
                                        .build()
                                : failed(noId(thrown))));
    }

    private static Error transactionalId(String id) {
        return id.isEmpty()
                ? null
                : PartitionLookup.error(
                        ErrorCode.INVALID_REQUEST,
                        "transactional_id is '" + id + "', but Ferry does not support transactions; an idempotent"
                                + " producer leaves transactional_id empty");
    }

    private static Error noId(Throwable thrown) {
        Throwable cause =
                thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (cause instanceof ControllerUnavailableException e) {
            return PartitionLookup.error(ErrorCode.NOT_CONTROLLER, "no producer id to hand out: " + e.getMessage());
        }
        if (cause instanceof BlockRefusedException e) {
            ErrorCode code = e.error().getCode();
            return PartitionLookup.error(
                    code == ErrorCode.UNKNOWN_BROKER ? ErrorCode.BROKER_FENCED : code,
                    "the controllers give this broker no producer ids now: " + e.getMessage());
        }
        log.warn("Getting a block of producer ids failed unexpectedly", cause);
        return PartitionLookup.error(ErrorCode.UNKNOWN_SERVER_ERROR, "no producer id to hand out: " + cause);
    }

    private static InitProducerIdResponse failed(Error error) {
        return InitProducerIdResponse.newBuilder()
                .setError(error)
                .setProducerId(-1)
                .setProducerEpoch(-1)
                .build();
    }
}
