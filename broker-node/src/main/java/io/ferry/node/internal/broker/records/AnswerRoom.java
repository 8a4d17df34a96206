package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.memory.FetchMemory;

/**
 * Room for the answers a Subscribe stream holds, in the broker's fetch answer budget
 * ({@code fetch.response.queued.max.bytes}, and its per-connection share), so that many streams, or one client
 * with many, cannot make the broker hold more than Fetch calls could. Thread-safe.
 */
interface AnswerRoom {

    /** Takes {@code bytes} if they fit now; never waits. */
    boolean tryTake(long bytes);

    /** Gives back bytes taken. */
    void release(long bytes);

    /** Room in {@code memory} for the calls of {@code connection}. */
    static AnswerRoom in(FetchMemory memory, Object connection) {
        return new AnswerRoom() {
            @Override
            public boolean tryTake(long bytes) {
                return memory.tryHoldAnswer(connection, bytes);
            }

            @Override
            public void release(long bytes) {
                memory.releaseAnswer(connection, bytes);
            }
        };
    }
}
