package io.ferry.replication.simulation;

import io.ferry.replication.LeaderAndIsr;
import io.ferry.replication.LeaderClient;
import io.ferry.replication.MemoryReplicaLog;
import io.ferry.replication.Partition;
import io.ferry.replication.ReplicaLog;
import io.ferry.replication.RequiredAcks;
import java.util.Optional;

/**
 * How the simulation composes the production replica managers with its collaborators: logs, the
 * ReplicaFetch client, the controller's rules and the broker's lifecycle. {@link #FERRY} is Ferry as it is;
 * a {@link Mutant} replaces one collaborator with a deliberately wrong one, without touching the production
 * classes.
 */
interface Wiring {

    Wiring FERRY = new Wiring() {
        @Override
        public String toString() {
            return "FERRY";
        }
    };

    /** The log a broker's replica manager gets for a partition. */
    default ReplicaLog log(int broker, MemoryReplicaLog log, Replicas replicas) {
        return log;
    }

    /** The client a broker's fetchers reach leaders with. */
    default LeaderClient leaderClient(LeaderClient client) {
        return client;
    }

    default ControllerModel.Rules controllerRules() {
        return ControllerModel.Rules.FERRY;
    }

    /** Whether a restarted broker waits until its registration is accepted before it applies metadata. */
    default boolean brokerWaitsForRegistration() {
        return true;
    }

    /** Runs just before a broker applies {@code state} to the replica it hosts (or is about to create). */
    default void beforeApplying(int broker, LeaderAndIsr state, Optional<Partition> replica, MemoryReplicaLog log) {}

    /** Runs just after a broker applied {@code state} to its replica {@code replica}. */
    default void afterApplying(int broker, LeaderAndIsr state, Partition replica, MemoryReplicaLog log) {}

    /** The acks a leader's replica manager is asked for when the client asks for {@code acks}. */
    default RequiredAcks acksAtLeader(RequiredAcks acks) {
        return acks;
    }
}
