package io.ferry.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.group.ConsumerGroup;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bound: a member is kept once, on its latest connection, and only while its group has it. */
class MemberConnectionsTest {

    final MemberConnections connections = new MemberConnections();
    final Object first = new Object();
    final Object second = new Object();
    final MemberConnections.Member m1 = new MemberConnections.Member("g", "m1");
    final MemberConnections.Member m2 = new MemberConnections.Member("g", "m2");

    @Test
    void aMemberMovesToTheConnectionOfItsLatestHeartbeat() {
        connections.heardOn(m1, first);
        connections.heardOn(m2, first);
        connections.heardOn(m1, second);

        assertEquals(Set.of(m2), connections.ended(first));
        assertEquals(Set.of(m1), connections.ended(second));
        assertEquals(Set.of(), connections.ended(second));
    }

    @Test
    void aMemberThatLeftIsForgotten() {
        connections.heardOn(m1, first);
        connections.forget(m1);

        assertEquals(Set.of(), connections.ended(first));
    }

    @Test
    void membersNoLongerInTheirGroupAreDropped() {
        connections.heardOn(m1, first);
        connections.heardOn(m2, first);
        connections.heardOn(new MemberConnections.Member("gone", "m3"), second);

        connections.keepOnly(List.of(ConsumerGroup.empty("g")));

        assertEquals(Set.of(), connections.ended(first));
        assertEquals(Set.of(), connections.ended(second));
    }
}
