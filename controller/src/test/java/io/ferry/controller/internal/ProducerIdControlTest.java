package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AllocateProducerIdsResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.ProducerIdsRecord;
import io.ferry.proto.v1.RegisterBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Producer id blocks as the active controller decides them, committed straight into a {@link MetadataState}. */
class ProducerIdControlTest {
    private static final long TERM = 1;

    private final MetadataState state = new MetadataState(100);
    private final List<ProducerIdsRecord> proposed = new ArrayList<>();

    private CompletableFuture<CommandResult> apply(ProducerIdsRecord record) {
        proposed.add(record);
        return CompletableFuture.completedFuture(state.apply(
                ControllerCommand.newBuilder()
                        .setLeaderTerm(TERM)
                        .setProducerIds(record)
                        .build(),
                TERM));
    }

    private void broker(int id, boolean fenced) {
        state.apply(
                ControllerCommand.newBuilder()
                        .setLeaderTerm(TERM)
                        .addRecords(MetadataRecord.newBuilder()
                                .setRegisterBroker(RegisterBrokerRecord.newBuilder()
                                        .setRegistration(BrokerRegistration.newBuilder()
                                                .setBrokerId(id)
                                                .setIncarnationId("i" + id)
                                                .setFenced(fenced))))
                        .build(),
                TERM);
    }

    private static AllocateProducerIdsResponse allocate(ProducerIdControl control, int broker, String incarnation)
            throws Exception {
        return control.allocate(AllocateProducerIdsRequest.newBuilder()
                        .setBrokerId(broker)
                        .setIncarnationId(incarnation)
                        .build())
                .get();
    }

    private static void assertBlock(long start, AllocateProducerIdsResponse block) {
        assertEquals(ErrorCode.NONE, block.getError().getCode(), block.toString());
        assertEquals(start, block.getProducerIdStart());
        assertEquals(ProducerIdControl.BLOCK_SIZE, block.getProducerIdLen());
    }

    @Test
    void consecutiveAllocationsGiveDisjointIncreasingBlocksAndMoveTheReplicatedNextId() throws Exception {
        broker(1, false);
        broker(2, false);
        ProducerIdControl control = new ProducerIdControl(state, this::apply);
        assertBlock(0, allocate(control, 1, "i1"));
        assertBlock(ProducerIdControl.BLOCK_SIZE, allocate(control, 2, "i2"));
        assertBlock(2L * ProducerIdControl.BLOCK_SIZE, allocate(control, 1, "i1"));
        assertEquals(3L * ProducerIdControl.BLOCK_SIZE, state.nextProducerId());
    }

    @Test
    void blocksDecidedBeforeTheEarlierOnesAreAppliedDoNotOverlap() throws Exception {
        broker(1, false);
        List<ProducerIdsRecord> pending = new ArrayList<>();
        List<CompletableFuture<CommandResult>> results = new ArrayList<>();
        ProducerIdControl control = new ProducerIdControl(state, record -> {
            pending.add(record);
            CompletableFuture<CommandResult> result = new CompletableFuture<>();
            results.add(result);
            return result;
        });
        CompletableFuture<AllocateProducerIdsResponse> first = control.allocate(AllocateProducerIdsRequest.newBuilder()
                .setBrokerId(1)
                .setIncarnationId("i1")
                .build());
        CompletableFuture<AllocateProducerIdsResponse> second = control.allocate(AllocateProducerIdsRequest.newBuilder()
                .setBrokerId(1)
                .setIncarnationId("i1")
                .build());
        // Both decided while neither is applied; the log then applies them in the order they were proposed.
        for (int i = 0; i < pending.size(); i++) {
            results.get(i).complete(apply(pending.get(i)).get());
        }
        assertBlock(0, first.get());
        assertBlock(ProducerIdControl.BLOCK_SIZE, second.get());
    }

    @Test
    void theNextActiveControllerContinuesAboveEveryBlockHandedOutAlsoFromASnapshot() throws Exception {
        broker(1, false);
        ProducerIdControl before = new ProducerIdControl(state, this::apply);
        allocate(before, 1, "i1");
        allocate(before, 1, "i1");

        assertBlock(2L * ProducerIdControl.BLOCK_SIZE, allocate(new ProducerIdControl(state, this::apply), 1, "i1"));

        MetadataState restored = new MetadataState(100);
        restored.load(state.snapshot());
        assertEquals(3L * ProducerIdControl.BLOCK_SIZE, restored.nextProducerId());
    }

    @Test
    void anUnknownFencedOrReplacedBrokerIsRefusedAndNothingIsCommitted() throws Exception {
        broker(1, false);
        broker(2, true);
        ProducerIdControl control = new ProducerIdControl(state, this::apply);

        AllocateProducerIdsResponse unknown = allocate(control, 3, "i3");
        assertEquals(ErrorCode.UNKNOWN_BROKER, unknown.getError().getCode(), unknown.toString());
        AllocateProducerIdsResponse fenced = allocate(control, 2, "i2");
        assertEquals(ErrorCode.BROKER_FENCED, fenced.getError().getCode(), fenced.toString());
        assertTrue(
                fenced.getError().getMessage().contains("fenced"),
                fenced.getError().getMessage());
        AllocateProducerIdsResponse replaced = allocate(control, 1, "an older incarnation");
        assertEquals(ErrorCode.BROKER_FENCED, replaced.getError().getCode(), replaced.toString());

        assertEquals(List.of(), proposed);
        assertEquals(0, state.nextProducerId());
    }

    @Test
    void aBlockThatWasNotCommittedIsAnsweredWithItsErrorAndItsIdsAreSkipped() throws Exception {
        broker(1, false);
        CommandResult lost = CommandResult.newBuilder()
                .setError(Errors.of(ErrorCode.NOT_CONTROLLER, "leadership lost"))
                .build();
        List<CompletableFuture<CommandResult>> outcomes =
                new ArrayList<>(List.of(CompletableFuture.completedFuture(lost)));
        ProducerIdControl control =
                new ProducerIdControl(state, record -> outcomes.isEmpty() ? apply(record) : outcomes.remove(0));

        assertEquals(
                ErrorCode.NOT_CONTROLLER, allocate(control, 1, "i1").getError().getCode());
        // Its command may still commit (its outcome is unknown): the next block starts after it.
        assertBlock(ProducerIdControl.BLOCK_SIZE, allocate(control, 1, "i1"));
    }
}
