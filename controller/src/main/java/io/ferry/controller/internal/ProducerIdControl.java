package io.ferry.controller.internal;

import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AllocateProducerIdsResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ProducerIdsRecord;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Hands brokers blocks of producer ids, as Kafka's {@code ProducerIdControlManager}: a block is answered
 * only once the {@link ProducerIdsRecord} that moves the replicated next producer id past it is applied,
 * so a controller elected later (which starts from that replicated id) never hands out an id twice.
 *
 * <p>Not thread-safe: the active controller's event thread owns it.
 */
final class ProducerIdControl {

    /** Producer ids per block, as Kafka's; a broker asks again before it has used them all. */
    static final int BLOCK_SIZE = 1000;

    /** Proposes the record as one command; completes on the event thread with the result of applying it. */
    @FunctionalInterface
    interface Commit {
        CompletableFuture<CommandResult> producerIds(ProducerIdsRecord record);
    }

    private final MetadataState state;
    private final Commit commit;
    /**
     * The end of the last block this controller proposed. Blocks are decided before the ones proposed
     * earlier are applied, so the replicated next id alone would give two of them the same ids. A block
     * whose command fails leaves a gap, never a reuse.
     */
    private long proposedUpTo;

    ProducerIdControl(MetadataState state, Commit commit) {
        this.state = state;
        this.commit = commit;
    }

    /** The next block, for a broker registered with this incarnation and unfenced. */
    CompletableFuture<AllocateProducerIdsResponse> allocate(AllocateProducerIdsRequest req) {
        Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
        Error refused = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
        if (Errors.isOk(refused) && broker.get().getFenced()) {
            refused = Errors.of(
                    ErrorCode.BROKER_FENCED,
                    "broker " + req.getBrokerId() + " is fenced; it gets producer ids once it is unfenced");
        }
        if (!Errors.isOk(refused)) {
            return CompletableFuture.completedFuture(
                    AllocateProducerIdsResponse.newBuilder().setError(refused).build());
        }
        long start = Math.max(state.nextProducerId(), proposedUpTo);
        proposedUpTo = start + BLOCK_SIZE;
        ProducerIdsRecord record = ProducerIdsRecord.newBuilder()
                .setBrokerId(req.getBrokerId())
                .setIncarnationId(req.getIncarnationId())
                .setNextProducerId(proposedUpTo)
                .build();
        return commit.producerIds(record)
                .thenApply(r -> Errors.isOk(r.getError())
                        ? AllocateProducerIdsResponse.newBuilder()
                                .setError(Errors.NONE)
                                .setProducerIdStart(start)
                                .setProducerIdLen(BLOCK_SIZE)
                                .build()
                        : AllocateProducerIdsResponse.newBuilder()
                                .setError(r.getError())
                                .build());
    }
}
