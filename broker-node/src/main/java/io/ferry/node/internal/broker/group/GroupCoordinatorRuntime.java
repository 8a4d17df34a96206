package io.ferry.node.internal.broker.group;

import io.ferry.group.CoordinatorShard;
import io.ferry.group.Write;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.node.internal.caller.CallerConnection;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.Log;
import io.ferry.storage.TopicPartition;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's group coordinators: one {@link CoordinatorPartition} for each {@code __consumer_offsets}
 * partition it leads, started when a metadata view makes it the leader (a new leader epoch starts a new
 * one, which loads the partition's log again) and ended when a view takes the leadership away, as Kafka's
 * {@code onElection} and {@code onResignation}. Operations on a group go to the coordinator of the
 * partition the group id hashes to; a group no coordinator of this broker holds is NOT_COORDINATOR.
 *
 * <p>Thread-safe: metadata views arrive on the broker's metadata thread, operations on request threads.
 */
public final class GroupCoordinatorRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinatorRuntime.class);

    private final int brokerId;
    private final Supplier<CoordinatorShard> newShard;
    private final CoordinatorPartition.Environment env;
    private final GroupTopics topics;
    /** Whether connection ends matter ({@code group.consumer.disconnect.grace.ms} is on). */
    private final boolean watchConnections;

    private final Map<Integer, CoordinatorPartition> led = new ConcurrentHashMap<>();
    /** The partition count of {@code __consumer_offsets} in the last view applied; 0 before it exists. */
    private volatile int partitionCount;

    private volatile boolean closed;

    /**
     * @param newShard      the empty group state a coordinator loads its partition into
     * @param logs          a partition's log on this broker, to load from
     * @param pool          runs every coordinator's operations, each coordinator's one at a time
     * @param timer         times expiry and load checks
     * @param topics        the topics as each group sees them
     * @param appendTimeoutMillis how long an append waits for the in-sync replicas ({@code request.timeout.ms})
     * @param watchConnections    whether a member's connection end shortens its session (the disconnect grace
     *                            is on); when not, {@link #watchEnd} registers nothing
     */
    public GroupCoordinatorRuntime(
            int brokerId,
            Supplier<CoordinatorShard> newShard,
            ReplicaManager replicas,
            Function<TopicPartition, Optional<Log>> logs,
            Executor pool,
            ScheduledExecutorService timer,
            InstantSource clock,
            GroupTopics topics,
            long appendTimeoutMillis,
            boolean watchConnections) {
        this.brokerId = brokerId;
        this.watchConnections = watchConnections;
        this.newShard = newShard;
        this.topics = topics;
        this.env = new CoordinatorPartition.Environment(
                CoordinatorLog.of(replicas, logs), pool, timer, clock, topics, appendTimeoutMillis);
    }

    /**
     * Starts a coordinator for each offsets partition {@code view} makes this broker the leader of, and ends
     * those of partitions it no longer leads (at the epoch they began with). Called on the metadata thread
     * after the replica manager applied the same view, so a coordinator's first append finds its partition
     * leading.
     */
    public synchronized void onMetadata(BrokerMetadata view) {
        if (closed) {
            return;
        }
        TopicRecord topic = view.topics().get(OffsetsTopic.NAME);
        partitionCount = topic == null ? 0 : topic.getPartitionCount();
        Map<Integer, Integer> leading = new HashMap<>();
        for (PartitionRecord p : view.partitionsOf(OffsetsTopic.NAME)) {
            if (p.getLeader() == brokerId) {
                leading.put(p.getPartition(), p.getLeaderEpoch());
            }
        }
        boolean resigned = led.entrySet().removeIf(entry -> {
            Integer epoch = leading.get(entry.getKey());
            if (epoch != null && epoch == entry.getValue().leaderEpoch()) {
                return false;
            }
            log.info(
                    "Broker {} resigns as the group coordinator of {}-{}", brokerId, OffsetsTopic.NAME, entry.getKey());
            entry.getValue().unload();
            return true;
        });
        if (resigned) {
            topics.keepGroupsOf(leading.keySet(), partitionCount);
        }
        leading.forEach((partition, epoch) -> {
            if (!led.containsKey(partition)) {
                log.info(
                        "Broker {} becomes the group coordinator of {}-{} (leader epoch {})",
                        brokerId,
                        OffsetsTopic.NAME,
                        partition,
                        epoch);
                CoordinatorPartition coordinator = new CoordinatorPartition(
                        new TopicPartition(OffsetsTopic.NAME, partition), epoch, newShard, env);
                led.put(partition, coordinator);
                coordinator.load();
            }
        });
    }

    /**
     * Runs a change on the group's coordinator; answered once its records are replicated, or failed with a
     * {@link CoordinatorException}.
     */
    public <T> CompletableFuture<T> write(String groupId, ShardWrite<T> op) {
        try {
            return coordinatorOf(groupId).write(op);
        } catch (CoordinatorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs a read on the group's coordinator; failed with a {@link CoordinatorException} if none here serves. */
    public <T> CompletableFuture<T> read(String groupId, Function<CoordinatorShard, T> op) {
        try {
            return coordinatorOf(groupId).read(op);
        } catch (CoordinatorException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Tells the coordinator of the group when {@code connection} ends ({@link CoordinatorShard#connectionEnded}),
     * so that the members whose latest heartbeat came on it are soon removed if they do not heartbeat again.
     * Registered once per connection and {@code __consumer_offsets} partition however many heartbeats the
     * connection carries, and kept only until the connection ends: a client's connections cost at most one
     * small action per partition its heartbeats reached. Call it after the shard saw the heartbeat, so that the
     * end, which runs after the registration on the same partition's thread, finds the member there.
     */
    public void watchEnd(CallerConnection.Connection connection, String groupId) {
        int count = partitionCount;
        if (watchConnections && count > 0) {
            int partition = OffsetsTopic.partitionFor(groupId, count);
            connection.whenEnded(partition, () -> connectionEnded(partition, connection));
        }
    }

    /** On the network thread that ends the connection: hands the end to the partition's coordinator, if any. */
    private void connectionEnded(int partition, CallerConnection.Connection connection) {
        CoordinatorPartition coordinator = led.get(partition);
        if (coordinator == null) {
            return;
        }
        coordinator
                .write((shard, now) -> Write.answer(shard.connectionEnded(connection, now)))
                .whenComplete((shortened, failure) -> {
                    if (failure != null) {
                        log.debug("The end of the {} reached no coordinator: {}", connection, failure.getMessage());
                    } else if (!shortened.isEmpty()) {
                        log.info(
                                "The {} ended: these members of groups of {}-{} are removed unless they heartbeat"
                                        + " again within the disconnect grace: {}",
                                connection,
                                OffsetsTopic.NAME,
                                partition,
                                shortened);
                    }
                });
    }

    /**
     * Runs a read on every coordinator of this broker, in partition order; fails as the first that fails
     * (one still loading: COORDINATOR_LOAD_IN_PROGRESS), as Kafka's ListGroups does rather than answer a part.
     */
    public <T> CompletableFuture<List<T>> readAll(Function<CoordinatorShard, T> op) {
        List<CompletableFuture<T>> reads = new ArrayList<>();
        new TreeMap<>(led).values().forEach(c -> reads.add(c.read(op)));
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }

    /**
     * The groups of every coordinator of this broker that serves now: unlike {@link #readAll}, one still
     * loading (or failed) is left out rather than failing the whole answer, so that metrics show what can be
     * known. Each coordinator is read on its own thread; the answer completes when all have.
     */
    public CompletableFuture<List<CoordinatedGroup>> coordinatedGroups() {
        List<CompletableFuture<List<CoordinatedGroup>>> reads = new ArrayList<>();
        led.values().forEach(c -> reads.add(c.read(CoordinatedGroup::of).exceptionally(notServing -> List.of())));
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(
                        done -> reads.stream().flatMap(r -> r.join().stream()).toList());
    }

    private CoordinatorPartition coordinatorOf(String groupId) {
        int count = partitionCount;
        if (count == 0) {
            throw new CoordinatorException(
                    ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    OffsetsTopic.NAME + " does not exist yet: FindCoordinator creates it");
        }
        int partition = OffsetsTopic.partitionFor(groupId, count);
        CoordinatorPartition coordinator = led.get(partition);
        if (coordinator == null) {
            throw new CoordinatorException(
                    ErrorCode.NOT_COORDINATOR,
                    "broker " + brokerId + " does not coordinate group '" + groupId + "': it does not lead "
                            + OffsetsTopic.NAME + "-" + partition + "; find the coordinator again");
        }
        return coordinator;
    }

    /** Ends every coordinator: waiting answers get NOT_COORDINATOR. */
    @Override
    public synchronized void close() {
        closed = true;
        led.values().forEach(CoordinatorPartition::unload);
        led.clear();
    }
}
