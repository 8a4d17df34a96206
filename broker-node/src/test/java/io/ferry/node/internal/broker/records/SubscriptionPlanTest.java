package io.ferry.node.internal.broker.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.node.internal.broker.authz.AuthorizationDenials;
import io.ferry.node.internal.broker.authz.BrokerAuthorizer;
import io.ferry.node.internal.broker.authz.Caller;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.RefusalLog;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.SubscribeStart;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.security.Principal;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checks of a Subscribe start that the node tests do not reach: authorization, and the caps on max_bytes. */
class SubscriptionPlanTest {

    private static final Caller ALICE = new Caller(Principal.user("alice"), "10.0.0.7");
    private static final BrokerMetadata VIEW = new BrokerMetadata(
            1,
            Map.of(),
            Map.of("t", TopicRecord.newBuilder().setName("t").build()),
            Map.of("t", Map.of(0, PartitionRecord.newBuilder().setTopic("t").build())));

    private static BrokerAuthorizer denyingWithoutAcls() {
        return BrokerAuthorizer.overAcls(
                () -> VIEW,
                Set.of(),
                false,
                new AuthorizationDenials(new SimpleMeterRegistry(), new RefusalLog(1, System::nanoTime), line -> {}));
    }

    @Test
    void aCallerWithoutReadOnTheTopicIsRefusedWithPermissionDeniedBeforeItLearnsWhetherTheTopicExists() {
        for (String topic : new String[] {"t", "unknown"}) {
            SubscribeRefusal refusal = assertThrows(
                    SubscribeRefusal.class,
                    () -> SubscriptionPlan.check(
                            SubscribeStart.newBuilder().setTopic(topic).build(),
                            VIEW,
                            ALICE,
                            denyingWithoutAcls(),
                            1 << 20));
            assertEquals(ErrorCode.TOPIC_AUTHORIZATION_FAILED, refusal.error().getCode());
            assertEquals(Status.Code.PERMISSION_DENIED.value(), refusal.error().getGrpcCode());
        }
    }

    @Test
    void maxBytesDefaultsToOneMebibyteAndIsCappedAtFetchMaxBytes() throws Exception {
        BrokerAuthorizer everyone = BrokerAuthorizer.allowingEverything();
        SubscribeStart start = SubscribeStart.newBuilder().setTopic("t").build();
        assertEquals(
                1 << 20,
                SubscriptionPlan.check(start, VIEW, ALICE, everyone, 16 << 20).maxBytes());
        assertEquals(
                4096,
                SubscriptionPlan.check(start.toBuilder().setMaxBytes(1 << 30).build(), VIEW, ALICE, everyone, 4096)
                        .maxBytes());
        assertEquals(
                1,
                SubscriptionPlan.check(start, VIEW, ALICE, everyone, 16 << 20)
                        .partitions()
                        .size());
    }
}
