package io.ferry.node.internal.broker.metrics;

import io.ferry.node.internal.broker.memory.FetchMemory;
import io.ferry.node.internal.broker.memory.SubscriptionLoad;
import io.ferry.replication.PartitionSnapshot;
import io.ferry.replication.ReplicaManager;
import io.ferry.storage.TopicPartition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The broker's meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code ferry.broker.request} timer per {@code request} [{@code ferry_broker_request_seconds}
 *       histogram; its {@code _count} gives the request rate]
 *   <li>{@code ferry.broker.topic.in.bytes} / {@code .out.bytes} counters per {@code topic}
 *       [{@code ferry_broker_topic_in_bytes_total}, {@code ferry_broker_topic_out_bytes_total}]
 *   <li>{@code ferry.broker.produce.acks.all.wait} timer: how long acks=all produces waited for the ISR
 *       [{@code ferry_broker_produce_acks_all_wait_seconds}]
 *   <li>per partition ({@code topic}, {@code partition}) gauges: {@code ferry.partition.log.end.offset},
 *       {@code ferry.partition.high.watermark}, {@code ferry.partition.log.size} (bytes),
 *       {@code ferry.partition.segments}, {@code ferry.partition.isr.size},
 *       {@code ferry.partition.follower.lag.records}, {@code ferry.partition.follower.lag.seconds}
 *   <li>broker gauges: {@code ferry.broker.leader.partitions}, {@code ferry.broker.under.replicated.partitions},
 *       {@code ferry.broker.offline.partitions}, {@code ferry.broker.waiting.requests}
 *   <li>fetch memory gauges ({@link #watch(FetchMemory)}): {@code ferry.broker.fetch.queued.answers} and
 *       {@code ferry.broker.fetch.parked.requests} (bytes), {@code ferry.broker.fetch.waiting.for.room}
 *   <li>Subscribe gauges ({@link #watch(SubscriptionLoad)}): {@code ferry.broker.subscribe.streams} and
 *       {@code ferry.broker.subscribe.held} (bytes)
 * </ul>
 * Per-partition gauges are added and removed by {@link #syncPartitions()} as partitions come and go, and a
 * topic's byte counters with its last partition.
 * Thread-safe.
 */
public final class BrokerMetrics {

    private static final Duration MIN_LATENCY = Duration.ofNanos(100_000);
    private static final Duration MAX_LATENCY = Duration.ofSeconds(60);

    private final MeterRegistry registry;
    private final ReplicaManager replicaManager;
    private final Map<String, Timer> requestTimers = new HashMap<>();
    private final Timer acksAllWait;
    private final List<Meter> brokerGauges = new ArrayList<>();
    private final Map<TopicPartition, List<Meter>> partitionGauges = new HashMap<>();
    private final Map<String, TopicBytes> topicBytes = new ConcurrentHashMap<>();
    /** {@link ReplicaManager#hostedPartitionsChanges()} when {@link #partitionGauges} was last synced; guarded by this. */
    private long syncedHostedChanges = -1;

    public BrokerMetrics(MeterRegistry registry, ReplicaManager replicaManager) {
        this.registry = registry;
        this.replicaManager = replicaManager;
        this.acksAllWait = latencyTimer(
                "ferry.broker.produce.acks.all.wait",
                "Time acks=all produce requests waited for the in-sync replicas",
                Tags.empty());
        brokerGauges.add(brokerGauge(
                "ferry.broker.leader.partitions", "Partitions this broker leads", PartitionSnapshot::isLeader));
        brokerGauges.add(brokerGauge(
                "ferry.broker.under.replicated.partitions",
                "Led partitions whose ISR is smaller than their replica set",
                PartitionSnapshot::underReplicated));
        brokerGauges.add(brokerGauge(
                "ferry.broker.offline.partitions",
                "Hosted partitions with no leader or a failed log",
                PartitionSnapshot::isOffline));
        brokerGauges.add(Gauge.builder("ferry.broker.waiting.requests", replicaManager, ReplicaManager::waitingRequests)
                .description("acks=all produces and long-poll fetches waiting, counted once per partition")
                .register(registry));
    }

    private Meter brokerGauge(String name, String description, java.util.function.Predicate<PartitionSnapshot> which) {
        return Gauge.builder(
                        name,
                        replicaManager,
                        m -> m.snapshots().stream().filter(which).count())
                .description(description)
                .register(registry);
    }

    private Timer latencyTimer(String name, String description, Tags tags) {
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(MIN_LATENCY)
                .maximumExpectedValue(MAX_LATENCY)
                .register(registry);
    }

    /** The latency timer of one request kind (produce, produce_stream, fetch, list_offsets, metadata, admin calls). */
    public synchronized Timer request(String request) {
        return requestTimers.computeIfAbsent(
                request,
                r -> latencyTimer(
                        "ferry.broker.request",
                        "Broker request latency, from receipt to response",
                        Tags.of("request", r)));
    }

    public Timer acksAllWait() {
        return acksAllWait;
    }

    public void bytesIn(String topic, long bytes) {
        topicBytes(topic).in().increment(bytes);
    }

    public void bytesOut(String topic, long bytes) {
        topicBytes(topic).out().increment(bytes);
    }

    /** A topic's two byte counters, registered at its first bytes; removed with its last hosted partition. */
    private record TopicBytes(Counter in, Counter out) {}

    private TopicBytes topicBytes(String topic) {
        return topicBytes.computeIfAbsent(
                topic,
                t -> new TopicBytes(
                        Counter.builder("ferry.broker.topic.in.bytes")
                                .description("Record bytes appended by producers")
                                .tag("topic", t)
                                .baseUnit("bytes")
                                .register(registry),
                        Counter.builder("ferry.broker.topic.out.bytes")
                                .description("Record bytes returned to consumers")
                                .tag("topic", t)
                                .baseUnit("bytes")
                                .register(registry)));
    }

    /**
     * Adds gauges for newly hosted partitions and removes those of partitions no longer hosted; nothing to walk
     * when no partition came or went since the last call (most metadata views, at thousands of partitions).
     */
    public synchronized void syncPartitions() {
        long changes = replicaManager.hostedPartitionsChanges();
        if (changes == syncedHostedChanges) {
            return;
        }
        syncedHostedChanges = changes;
        // The live set, not a copy: a partition that comes or goes meanwhile counts as a change, so the next call
        // walks again.
        Set<TopicPartition> hosted = replicaManager.hostedPartitions();
        for (TopicPartition tp : hosted) {
            partitionGauges.computeIfAbsent(tp, this::registerPartition);
        }
        partitionGauges.entrySet().removeIf(e -> {
            if (hosted.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        // A deleted topic's counters go with its partitions (as Kafka's BrokerTopicStats); bytes counted in a race
        // with the deletion may register them again, until the next partition comes or goes.
        Set<String> hostedTopics = new HashSet<>();
        hosted.forEach(tp -> hostedTopics.add(tp.topic()));
        topicBytes.forEach((topic, counters) -> {
            if (!hostedTopics.contains(topic) && topicBytes.remove(topic, counters)) {
                registry.remove(counters.in());
                registry.remove(counters.out());
            }
        });
    }

    private List<Meter> registerPartition(TopicPartition tp) {
        Tags tags = Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
        return List.of(
                partitionGauge(
                        "ferry.partition.log.start.offset",
                        "First offset the log holds (moved by retention and DeleteRecords)",
                        tags,
                        tp,
                        PartitionSnapshot::logStartOffset,
                        null),
                partitionGauge(
                        "ferry.partition.log.end.offset",
                        "Offset the next appended record gets",
                        tags,
                        tp,
                        PartitionSnapshot::logEndOffset,
                        null),
                partitionGauge(
                        "ferry.partition.high.watermark",
                        "Consumers read below this offset",
                        tags,
                        tp,
                        PartitionSnapshot::highWatermark,
                        null),
                partitionGauge(
                        "ferry.partition.log.size",
                        "Bytes held by the partition's segments",
                        tags,
                        tp,
                        PartitionSnapshot::sizeInBytes,
                        "bytes"),
                partitionGauge(
                        "ferry.partition.segments",
                        "Segments of the partition's log",
                        tags,
                        tp,
                        PartitionSnapshot::segmentCount,
                        null),
                partitionGauge(
                        "ferry.partition.isr.size",
                        "In-sync replicas as this broker knows them",
                        tags,
                        tp,
                        PartitionSnapshot::isrSize,
                        null),
                partitionGauge(
                        "ferry.partition.follower.lag.records",
                        "A follower: records the leader had at its last answer that this replica lacks",
                        tags,
                        tp,
                        PartitionSnapshot::followerLagRecords,
                        "records"),
                partitionGauge(
                        "ferry.partition.follower.lag.seconds",
                        "A follower: seconds since it last held everything the leader had (0 when caught up)",
                        tags,
                        tp,
                        s -> s.followerLagMs() / 1_000.0,
                        "seconds"));
    }

    private Meter partitionGauge(
            String name,
            String description,
            Tags tags,
            TopicPartition tp,
            ToDoubleFunction<PartitionSnapshot> value,
            String unit) {
        return Gauge.builder(
                        name,
                        replicaManager,
                        m -> m.partition(tp)
                                .map(p -> value.applyAsDouble(p.snapshot()))
                                .orElse(Double.NaN))
                .description(description)
                .tags(tags)
                .baseUnit(unit)
                .register(registry);
    }

    /** Adds the gauges of the broker's fetch memory. */
    public synchronized void watch(FetchMemory memory) {
        brokerGauges.add(Gauge.builder("ferry.broker.fetch.queued.answers", memory, FetchMemory::answerBytes)
                .description("Record bytes of Fetch and ReplicaFetch answers handed to gRPC whose call has not ended")
                .baseUnit("bytes")
                .register(registry));
        brokerGauges.add(Gauge.builder("ferry.broker.fetch.parked.requests", memory, FetchMemory::parkedBytes)
                .description("Bytes of Fetch and ReplicaFetch requests waiting in a long-poll")
                .baseUnit("bytes")
                .register(registry));
        brokerGauges.add(Gauge.builder("ferry.broker.fetch.waiting.for.room", memory, FetchMemory::waitingForRoom)
                .description("Fetches whose answer waits for room in fetch.response.queued.max.bytes")
                .register(registry));
    }

    /** Adds the gauges of the node's Subscribe streams. */
    public synchronized void watch(SubscriptionLoad subscriptions) {
        brokerGauges.add(Gauge.builder("ferry.broker.subscribe.streams", subscriptions, SubscriptionLoad::openStreams)
                .description("Subscribe streams open on this broker")
                .register(registry));
        brokerGauges.add(Gauge.builder("ferry.broker.subscribe.held", subscriptions, SubscriptionLoad::heldBytes)
                .description("Record bytes read for Subscribe streams and not yet taken by their transport")
                .baseUnit("bytes")
                .register(registry));
    }

    /** Removes every meter this class registered. */
    public synchronized void close() {
        partitionGauges.values().forEach(meters -> meters.forEach(registry::remove));
        partitionGauges.clear();
        brokerGauges.forEach(registry::remove);
        requestTimers.values().forEach(registry::remove);
        registry.remove(acksAllWait);
    }
}
