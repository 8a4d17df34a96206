package io.ferry.replication;

import io.ferry.storage.TopicPartition;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The stages a batch passes on the brokers between a producer's request and a consumer's read, marked for the
 * per-stage latency breakdown ({@code LATENCY_TRACE=1 bin/bench-replicated}, {@code docs/benchmarks.md}). Each
 * mark is a JFR event carrying the monotonic clock ({@link System#nanoTime()}, CLOCK_MONOTONIC on Linux, one
 * clock for every process of the machine), so the marks of three brokers and of the client line up. While no
 * recording enables the event, a mark costs one check and allocates nothing.
 *
 * <p>{@code offset} is the last offset the stage concerns (the batch appended, the log end a follower reached,
 * the high watermark − 1), so a record's stages are found by its offset.
 */
public enum LatencyStage {
    /** Leader: the produce request reached its handler (marked when answered, with the time it arrived). */
    PRODUCE_RECEIVED,
    /** Leader: the batch is in the log. */
    LEADER_APPENDED,
    /** Leader: a follower's fetch is answered with batches up to the offset ({@code replica}: the follower). */
    FOLLOWER_ANSWERED,
    /** Follower: the leader's answer arrived (on the transport's thread). */
    FOLLOWER_RECEIVED,
    /** Follower: the answer's batches are in the local log. */
    FOLLOWER_APPENDED,
    /** Follower: the next fetch, whose position tells the leader the offset is replicated, is sent. */
    FOLLOWER_FETCH_SENT,
    /** Leader: a follower's fetch says it holds the offset ({@code replica}: the follower). */
    LEADER_FOLLOWER_FETCHED,
    /** Leader: the high watermark passed the offset. */
    HIGH_WATERMARK_ADVANCED,
    /** Leader: the produce response is handed to the transport. */
    PRODUCE_ANSWERED,
    /** Leader: a consumer's fetch is answered with records up to the offset. */
    CONSUMER_FETCH_ANSWERED;

    /** Marks this stage now. */
    public void mark(TopicPartition tp, long offset, int replica) {
        mark(tp, offset, replica, System.nanoTime());
    }

    /** Marks this stage at {@code nanos} ({@link System#nanoTime()}), taken earlier. */
    public void mark(TopicPartition tp, long offset, int replica, long nanos) {
        StageEvent event = new StageEvent();
        if (event.isEnabled()) {
            event.stage = name();
            event.topic = tp.topic();
            event.partition = tp.partition();
            event.offset = offset;
            event.replica = replica;
            event.nanos = nanos;
            event.commit();
        }
    }

    /** Whether a recording takes the marks: lets a caller skip the work of finding a mark's offset. */
    public static boolean enabled() {
        return new StageEvent().isEnabled();
    }

    @Name("io.ferry.LatencyStage")
    @Label("Latency stage")
    @Category("Ferry")
    @Description("A batch passed a stage of the produce-to-consume path")
    @StackTrace(false)
    static final class StageEvent extends Event {
        @Label("Stage")
        String stage;

        @Label("Topic")
        String topic;

        @Label("Partition")
        int partition;

        @Label("Offset")
        long offset;

        @Label("Replica")
        @Description("The follower concerned, or -1")
        int replica;

        @Label("Monotonic nanoseconds")
        @Description("System.nanoTime() at the stage")
        long nanos;
    }
}
