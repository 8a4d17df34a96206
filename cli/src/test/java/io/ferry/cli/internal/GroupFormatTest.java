package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.BrokerInfo;
import io.ferry.client.ConsumerGroupDescription;
import io.ferry.client.ConsumerGroupListing;
import io.ferry.client.MemberDescription;
import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupFormatTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition AUDIT_0 = new TopicPartition("audit", 0);

    private static final ConsumerGroupDescription STABLE = new ConsumerGroupDescription(
            "billing",
            "STABLE",
            7,
            "uniform",
            List.of(
                    new MemberDescription("m-1", Optional.empty(), "app-1", "/10.0.0.1", 7, Set.of(ORDERS_1, ORDERS_0)),
                    new MemberDescription("m-2", Optional.of("static-2"), "app-2", "/10.0.0.2", 7, Set.of())),
            new BrokerInfo(2, "10.0.0.9", 9092, false));

    @Test
    void offsetsJoinCommittedOwnedAndLogEndWithDashesForWhatIsUnknown() {
        String text = GroupFormat.offsets(
                STABLE,
                Map.of(ORDERS_0, new OffsetAndMetadata(5, ""), AUDIT_0, new OffsetAndMetadata(9, "")),
                Map.of(ORDERS_0, 8L, ORDERS_1, 3L));
        assertEquals("""
                GROUP   TOPIC  PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST      CLIENT-ID
                billing audit  0         9              -              -   -           -         -
                billing orders 0         5              8              3   m-1         /10.0.0.1 app-1
                billing orders 1         -              3              -   m-1         /10.0.0.1 app-1
                """, text);
    }

    @Test
    void membersListTheirAssignmentAsKafkaDoes() {
        assertEquals("""
                GROUP   CONSUMER-ID GROUP-INSTANCE-ID HOST      CLIENT-ID #PARTITIONS ASSIGNMENT
                billing m-1         -                 /10.0.0.1 app-1     2           orders(0,1)
                billing m-2         static-2          /10.0.0.2 app-2     0           -
                """, GroupFormat.members(STABLE));
    }

    @Test
    void anEmptyGroupSaysSoBeforeItsTable() {
        ConsumerGroupDescription empty = new ConsumerGroupDescription(
                "idle", "EMPTY", 3, "uniform", List.of(), new BrokerInfo(1, "10.0.0.8", 9092, false));
        assertEquals(
                """
                Consumer group 'idle' has no active members.

                GROUP TOPIC  PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                idle  orders 1         4              4              0   -           -    -
                """, GroupFormat.offsets(empty, Map.of(ORDERS_1, new OffsetAndMetadata(4, "")), Map.of(ORDERS_1, 4L)));
    }

    @Test
    void listedStatesAreKafkasTwoColumns() {
        assertEquals(
                """
                GROUP   STATE
                billing STABLE
                idle    EMPTY
                """,
                GroupFormat.states(List.of(
                        new ConsumerGroupListing("billing", "STABLE"), new ConsumerGroupListing("idle", "EMPTY"))));
    }

    @Test
    void aGroupsStateIsItsCoordinatorAssignorStateAndMemberCount() {
        assertEquals("""
                GROUP   COORDINATOR (ID)  ASSIGNMENT-STRATEGY STATE  #MEMBERS
                billing 10.0.0.9:9092 (2) uniform             STABLE 2
                """, GroupFormat.state(STABLE));
    }
}
