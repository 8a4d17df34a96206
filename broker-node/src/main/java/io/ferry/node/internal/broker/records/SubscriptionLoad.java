package io.ferry.node.internal.broker.records;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the node's Subscribe streams hold, for gauges: the open streams, and the record bytes of leader answers
 * received for them and not yet taken by the transport (decoded, or handed to gRPC while the stream was not
 * ready). Thread-safe.
 */
public final class SubscriptionLoad {

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong heldBytes = new AtomicLong();

    /** Subscribe streams open on this node. */
    public int openStreams() {
        return open.get();
    }

    /** Record bytes held for them. */
    public long heldBytes() {
        return heldBytes.get();
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    void hold(long bytes) {
        heldBytes.addAndGet(bytes);
    }

    void release(long bytes) {
        heldBytes.addAndGet(-bytes);
    }
}
