package io.ferry.node.internal.broker.memory;

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

    /** A stream started. */
    public void opened() {
        open.incrementAndGet();
    }

    /** A stream ended. */
    public void closed() {
        open.decrementAndGet();
    }

    /** A stream holds {@code bytes} more. */
    public void hold(long bytes) {
        heldBytes.addAndGet(bytes);
    }

    /** A stream gave back {@code bytes}. */
    public void release(long bytes) {
        heldBytes.addAndGet(-bytes);
    }
}
