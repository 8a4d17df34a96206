package io.ferry.node.internal.broker.memory;

import io.ferry.replication.PartitionRead;
import io.ferry.storage.TopicPartition;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * The memory that Fetch and ReplicaFetch calls hold, bounded broker-wide and per connection by two
 * {@link MemoryBudget}s, so that clients that open many fetches and never read cannot make the broker
 * allocate without bound:
 * <ul>
 *   <li>answers: the record bytes of every answer handed to gRPC, from before it is serialized (gRPC
 *   copies it into direct buffers that stay queued until the socket drains) until the call ends
 *   (its last byte was written, or it was cancelled). A read returns slices of the log, so it costs
 *   nothing until then; an answer takes its bytes first, keeps the partitions' records that fit, in
 *   request order, and waits, as a long-poll does, when not even the first partition's fit;</li>
 *   <li>long-polls: the size of every request parked waiting for records or for room, until it is
 *   answered. A request that finds no room here is answered at once instead of waiting.</li>
 * </ul>
 * Thread-safe.
 */
public final class FetchMemory {

    private final MemoryBudget answers;
    private final MemoryBudget longPolls;

    public FetchMemory(MemoryBudget answers, MemoryBudget longPolls) {
        this.answers = answers;
        this.longPolls = longPolls;
    }

    /** Record bytes of the answers held. */
    public long answerBytes() {
        return answers.held();
    }

    /** Bytes of the requests parked. */
    public long parkedBytes() {
        return longPolls.held();
    }

    /** Answers waiting for room. */
    public int waitingForRoom() {
        return answers.waiting();
    }

    /** The share of one call that came in on {@code connection}. */
    public Call open(Object connection) {
        return new Call(connection);
    }

    /**
     * One call's share: what it holds of each budget, given back once. Its answer's bytes are held until
     * the call ends; its request's bytes from {@link #longPoll} until the answer is sent or dropped (a
     * cancelled call stays in the replica manager's long-poll until that ends, so it keeps them until
     * then). Thread-safe: the call ends on a gRPC thread while its answer is built on the thread that
     * completed the read. Bytes are given back outside this object's lock, since giving back runs other
     * calls' grants.
     */
    public final class Call {
        private final Object connection;
        /** Guarded by this. */
        private long parked;
        private long answered;
        private MemoryBudget.Request waiting;
        private boolean ended;

        private Call(Object connection) {
            this.connection = connection;
        }

        /**
         * Starts a long-poll: calls {@code poll} with how long it may wait, {@code maxWaitMs} if there is room
         * for a request of {@code requestBytes} to wait, else 0 (it is answered with what there is now).
         * The long-poll must hand its read to {@link #reserve}.
         */
        public void longPoll(long requestBytes, long maxWaitMs, LongConsumer poll) {
            long waitMs = maxWaitMs > 0 && park(requestBytes) ? maxWaitMs : 0;
            try {
                poll.accept(waitMs);
            } catch (RuntimeException e) {
                // Nothing holds the request now.
                unpark();
                throw e;
            }
        }

        private synchronized boolean park(long requestBytes) {
            if (ended || !longPolls.tryTake(connection, requestBytes)) {
                return false;
            }
            parked += requestBytes;
            return true;
        }

        /**
         * Takes room for the records {@code read} returned, waiting up to {@code waitMs} for it, then calls
         * {@code send} with the partitions whose records the answer may carry: those that fit, in
         * {@code read}'s order, always the first with records unless the wait ran out (then none). Not
         * called if the call ended first.
         */
        public <R extends PartitionRead> void reserve(Map<TopicPartition, R> read, long waitMs,
                                               Consumer<Predicate<TopicPartition>> send) {
            long first = 0;
            long total = 0;
            for (R partition : read.values()) {
                int size = partition.records().remaining();
                first = first == 0 ? size : first;
                total += size;
            }
            if (total == 0) {
                answer(0, read, send);
                return;
            }
            MemoryBudget.Request request = answers.take(connection, first, total, waitMs,
                    bytes -> answer(bytes, read, send));
            boolean endedMeanwhile;
            synchronized (this) {
                endedMeanwhile = ended;
                waiting = ended ? null : request;
            }
            if (endedMeanwhile && request.withdraw()) {
                unpark();
            }
        }

        private <R extends PartitionRead> void answer(long granted, Map<TopicPartition, R> read,
                                                      Consumer<Predicate<TopicPartition>> send) {
            Set<TopicPartition> kept = new HashSet<>();
            long left = granted;
            for (Map.Entry<TopicPartition, R> partition : read.entrySet()) {
                int size = partition.getValue().records().remaining();
                if (size > 0 && size <= left) {
                    kept.add(partition.getKey());
                    left -= size;
                }
            }
            boolean sending;
            synchronized (this) {
                sending = !ended;
                answered += sending ? granted - left : 0;
                waiting = null;
            }
            answers.release(connection, sending ? left : granted);
            unpark();
            if (sending) {
                send.accept(kept::contains);
            }
        }

        private void unpark() {
            long unparked;
            synchronized (this) {
                unparked = parked;
                parked = 0;
            }
            longPolls.release(connection, unparked);
        }

        /** The call completed or was cancelled: gives back its answer's bytes and stops a wait for room. */
        public void end() {
            MemoryBudget.Request stillWaiting;
            long unanswered;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                stillWaiting = waiting;
                waiting = null;
                unanswered = answered;
                answered = 0;
            }
            if (stillWaiting != null && stillWaiting.withdraw()) {
                unpark();
            }
            answers.release(connection, unanswered);
        }
    }
}
