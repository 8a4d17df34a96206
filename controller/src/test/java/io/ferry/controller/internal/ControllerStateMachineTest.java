package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CompletedRequest;
import io.ferry.proto.v1.ControllerSnapshot;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.TopicRecord;
import org.junit.jupiter.api.Test;

/** Snapshot files as the state machine reads them back, in today's format and the one before. */
class ControllerStateMachineTest {
    private static final MetadataImage IMAGE = MetadataImage.newBuilder()
            .setVersion(42)
            .addBrokers(BrokerRegistration.newBuilder().setBrokerId(1).setIncarnationId("i1"))
            .addTopics(TopicRecord.newBuilder().setName("t").setTopicId("tid").setPartitionCount(1))
            .build();

    @Test
    void aSnapshotReadsBackWithItsRememberedRequests() throws Exception {
        ControllerSnapshot written = ControllerSnapshot.newBuilder()
                .setImage(IMAGE)
                .addCompletedRequests(CompletedRequest.newBuilder()
                        .setIdempotencyKey("k")
                        .setRequest(ActiveControllerRequest.newBuilder()
                                .setDeleteTopic(DeleteTopicRequest.newBuilder().setName("gone")))
                        .setCompletedAtMs(7))
                .build();
        assertEquals(written, ControllerStateMachine.readSnapshot(written.toByteArray()));
    }

    @Test
    void aSnapshotWrittenAsABareImageReadsAsThatImageWithNothingRemembered() throws Exception {
        assertEquals(
                ControllerSnapshot.newBuilder().setImage(IMAGE).build(),
                ControllerStateMachine.readSnapshot(IMAGE.toByteArray()));
    }
}
