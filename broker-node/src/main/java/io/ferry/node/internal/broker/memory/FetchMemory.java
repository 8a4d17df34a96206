package io.ferry.node.internal.broker.memory;

import io.ferry.replication.PartitionRead;
import io.ferry.storage.BufferLease;
import io.ferry.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * The same moment ends the read's hold on the log: the leases of the answer's records (slices of mapped
 * segments, see {@link PartitionRead#lease()}) are released once the call has ended and the answer,
 * if one is being built and handed to gRPC, has been, so a deleted segment is unmapped then.
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

    /**
     * Takes {@code bytes} of the answers' budget for a stream that holds its answers itself (Subscribe), if
     * they fit now; it never waits.
     *
     * @return whether they were taken; the caller gives them back with {@link #releaseAnswer}
     */
    public boolean tryHoldAnswer(Object connection, long bytes) {
        return answers.tryTake(connection, bytes);
    }

    /** Gives back answer bytes {@link #tryHoldAnswer} took; grants waiting fetches what now fits. */
    public void releaseAnswer(Object connection, long bytes) {
        if (bytes > 0) {
            answers.release(connection, bytes);
        }
    }

    /** The share of one call that came in on {@code connection}. */
    public Call open(Object connection) {
        return new Call(connection);
    }

    /**
     * One call's share: what it holds of each budget, given back once. Its answer's bytes are held until
     * the call ends; its request's bytes from {@link #longPoll} until the answer is sent or dropped (a
     * cancelled call stays in the replica manager's long-poll until that ends, so it keeps them until
     * then). Its read's leases are released when the call ends, or when the answer's send returns if
     * the call ended (was cancelled, or closed) while it ran: the send reads the slices, and no slice may
     * be unmapped under it. Thread-safe: the call ends on a gRPC thread while its answer is built on the
     * thread that completed the read. Bytes are given back, and leases released, outside this object's
     * lock, since giving back runs other calls' grants.
     */
    public final class Call {
        private final Object connection;
        /** Guarded by this. */
        private long parked;

        private long answered;
        private MemoryBudget.Request waiting;
        private boolean ended;
        /** The read's leases, released once the call ended and no send runs. */
        private final List<BufferLease> leases = new ArrayList<>();
        /** The answer's send is running: it reads the slices the leases keep mapped. */
        private boolean sending;

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
        public <R extends PartitionRead> void reserve(
                Map<TopicPartition, R> read, long waitMs, Consumer<Predicate<TopicPartition>> send) {
            boolean endedBefore;
            synchronized (this) {
                endedBefore = ended;
                if (!endedBefore) {
                    read.values().forEach(partition -> leases.add(partition.lease()));
                }
            }
            if (endedBefore) {
                read.values().forEach(partition -> partition.lease().release());
            }
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
            MemoryBudget.Request request =
                    answers.take(connection, first, total, waitMs, bytes -> answer(bytes, read, send));
            boolean endedMeanwhile;
            synchronized (this) {
                endedMeanwhile = ended;
                waiting = ended ? null : request;
            }
            if (endedMeanwhile && request.withdraw()) {
                unpark();
            }
        }

        private <R extends PartitionRead> void answer(
                long granted, Map<TopicPartition, R> read, Consumer<Predicate<TopicPartition>> send) {
            Set<TopicPartition> kept = new HashSet<>();
            long left = granted;
            for (Map.Entry<TopicPartition, R> partition : read.entrySet()) {
                int size = partition.getValue().records().remaining();
                if (size > 0 && size <= left) {
                    kept.add(partition.getKey());
                    left -= size;
                }
            }
            boolean sends;
            synchronized (this) {
                sends = !ended;
                sending = sends;
                answered += sends ? granted - left : 0;
                waiting = null;
            }
            answers.release(connection, sends ? left : granted);
            unpark();
            if (sends) {
                try {
                    send.accept(kept::contains);
                } finally {
                    List<BufferLease> done;
                    synchronized (this) {
                        sending = false;
                        done = takeLeasesIfEnded();
                    }
                    done.forEach(BufferLease::release);
                }
            }
        }

        /** The leases to release now, if the call ended and no send reads them. Caller holds this. */
        private List<BufferLease> takeLeasesIfEnded() {
            if (!ended || sending) {
                return List.of();
            }
            List<BufferLease> taken = List.copyOf(leases);
            leases.clear();
            return taken;
        }

        private void unpark() {
            long unparked;
            synchronized (this) {
                unparked = parked;
                parked = 0;
            }
            longPolls.release(connection, unparked);
        }

        /**
         * The call completed or was cancelled: gives back its answer's bytes, stops a wait for room, and
         * releases its read's leases unless the answer's send is still running (then that does it).
         */
        public void end() {
            MemoryBudget.Request stillWaiting;
            long unanswered;
            List<BufferLease> done;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                stillWaiting = waiting;
                waiting = null;
                unanswered = answered;
                answered = 0;
                done = takeLeasesIfEnded();
            }
            if (stillWaiting != null && stillWaiting.withdraw()) {
                unpark();
            }
            answers.release(connection, unanswered);
            done.forEach(BufferLease::release);
        }
    }
}
