package io.ferry.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed field of a heartbeat is INVALID_REQUEST, named in the message, and changes nothing. */
class BadHeartbeatTest {

    static final String LONG = "x".repeat(256);

    /** A well-formed join; each case breaks one field of it. */
    static final HeartbeatRequest JOIN =
            new HeartbeatRequest("g", "m1", 0, null, 1_000, "client", "/10.0.0.1", List.of("t"), null, List.of());

    static Arguments bad(String field, UnaryOperator<Req> change) {
        return Arguments.of(field, change.apply(new Req(JOIN)).build());
    }

    /** A mutable copy of a request, for the cases below. */
    static final class Req {
        String groupId, memberId, instanceId, clientId, clientHost, regex;
        int epoch, rebalanceTimeoutMs;
        List<String> names;
        List<TopicPartition> owned;

        Req(HeartbeatRequest r) {
            groupId = r.groupId();
            memberId = r.memberId();
            epoch = r.memberEpoch();
            instanceId = r.instanceId();
            rebalanceTimeoutMs = r.rebalanceTimeoutMs();
            clientId = r.clientId();
            clientHost = r.clientHost();
            names = r.subscribedTopicNames();
            regex = r.subscribedTopicRegex();
            owned = r.ownedTopicPartitions();
        }

        Req with(java.util.function.Consumer<Req> change) {
            change.accept(this);
            return this;
        }

        HeartbeatRequest build() {
            return new HeartbeatRequest(
                    groupId,
                    memberId,
                    epoch,
                    instanceId,
                    rebalanceTimeoutMs,
                    clientId,
                    clientHost,
                    names,
                    regex,
                    owned);
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("groupId", r -> r.with(x -> x.groupId = "")),
                bad("groupId", r -> r.with(x -> x.groupId = null)),
                bad("groupId", r -> r.with(x -> x.groupId = LONG)),
                bad("memberId", r -> r.with(x -> x.memberId = "")),
                bad("memberId", r -> r.with(x -> x.memberId = null)),
                bad("memberId", r -> r.with(x -> x.memberId = LONG)),
                bad(
                        "memberId",
                        r -> r.with(x -> {
                            x.epoch = -1;
                            x.memberId = "";
                        })),
                bad("memberEpoch", r -> r.with(x -> x.epoch = -3)),
                bad("memberEpoch", r -> r.with(x -> x.epoch = Integer.MIN_VALUE)),
                bad("memberEpoch -2", r -> r.with(x -> x.epoch = -2)),
                bad("instanceId", r -> r.with(x -> x.instanceId = "")),
                bad("instanceId", r -> r.with(x -> x.instanceId = LONG)),
                bad("clientId", r -> r.with(x -> x.clientId = null)),
                bad("clientId", r -> r.with(x -> x.clientId = LONG)),
                bad("clientHost", r -> r.with(x -> x.clientHost = null)),
                bad("clientHost", r -> r.with(x -> x.clientHost = LONG)),
                bad("rebalanceTimeoutMs", r -> r.with(x -> x.rebalanceTimeoutMs = -2)),
                bad("rebalanceTimeoutMs", r -> r.with(x -> x.rebalanceTimeoutMs = -1)),
                bad("subscribedTopicRegex", r -> r.with(x -> x.regex = LONG)),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = Arrays.asList("t", null))),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = List.of(""))),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = List.of("../etc"))),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = List.of(".."))),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = List.of("x".repeat(250)))),
                bad("subscribedTopicNames", r -> r.with(x -> x.names = List.of("t", "t"))),
                bad("subscribedTopicNames or subscribedTopicRegex", r -> r.with(x -> x.names = null)),
                bad(
                        "subscribedTopicNames or subscribedTopicRegex",
                        r -> r.with(x -> {
                            x.names = null;
                            x.regex = "";
                        })),
                bad("ownedTopicPartitions", r -> r.with(x -> x.owned = List.of(new TopicPartition("t", 0)))),
                bad(
                        "ownedTopicPartitions",
                        r -> r.with(x -> {
                            x.epoch = 3;
                            x.owned = List.of(new TopicPartition("t", -1));
                        })),
                bad(
                        "ownedTopicPartitions",
                        r -> r.with(x -> {
                            x.epoch = 3;
                            x.owned = List.of(new TopicPartition("t", 0), new TopicPartition("t", 0));
                        })),
                bad(
                        "ownedTopicPartitions",
                        r -> r.with(x -> {
                            x.epoch = 3;
                            x.owned = List.of(new TopicPartition("a b", 0));
                        })),
                bad(
                        "ownedTopicPartitions",
                        r -> r.with(x -> {
                            x.epoch = 3;
                            x.owned = Arrays.asList((TopicPartition) null);
                        })));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("malformed")
    void isRefusedNamingTheField(String field, HeartbeatRequest request) {
        GroupCoordinator coordinator = new GroupCoordinator(GroupConfig.DEFAULTS);
        ConsumerGroup group = ConsumerGroup.empty("g");

        HeartbeatResult result = coordinator.heartbeat(group, request, TopicsImage.of(Map.of("t", 1)), 0);

        assertEquals(GroupError.INVALID_REQUEST, result.response().error());
        assertTrue(
                result.response().errorMessage().contains(field),
                result.response().errorMessage());
        assertSame(group, result.group());
        assertEquals(request.memberEpoch(), result.response().memberEpoch());
        assertEquals(result.response().assignment(), java.util.Optional.empty());
    }
}
