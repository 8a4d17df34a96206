package io.ferry.node.internal.broker.quota;

/**
 * How long a request kept the request thread that handled it busy (Kafka's request thread time, which
 * {@code request_percentage} limits): from {@link #start()} until {@link #handled()}, both called on that
 * thread around the handler; a response ready before the handler returned (answered inline) counts the time
 * up to then. Work the handler hands to other threads (appends of other requests, long polls) is not counted.
 *
 * <p>Thread-safe: {@link #nanos()} may be read on any thread.
 */
public final class HandlerTime {

    private final long startNanos = System.nanoTime();
    private volatile long handledNanos = -1;

    private HandlerTime() {}

    /** Starts timing on the request thread, just before the handler runs. */
    public static HandlerTime start() {
        return new HandlerTime();
    }

    /** Stops timing, on the request thread, once the handler returned. */
    public void handled() {
        handledNanos = System.nanoTime() - startNanos;
    }

    /** The thread time so far: until {@link #handled()} if it was called, else until now. */
    public long nanos() {
        long handled = handledNanos;
        return handled >= 0 ? handled : System.nanoTime() - startNanos;
    }
}
