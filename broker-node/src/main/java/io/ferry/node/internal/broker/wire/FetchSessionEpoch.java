package io.ferry.node.internal.broker.wire;

/** How both sides of a ReplicaFetch session count its epochs ({@code ReplicaFetchRequest.session_epoch}). */
public final class FetchSessionEpoch {

    /** The epoch of a full request, which opens a new session. */
    public static final int FULL = 0;

    /** The epoch of an incremental request after the full one. */
    public static final int FIRST = 1;

    private FetchSessionEpoch() {}

    /** The epoch after {@code epoch}: 1 follows 2^31-1, since 0 is a full request's. */
    public static int next(int epoch) {
        return epoch == Integer.MAX_VALUE ? FIRST : epoch + 1;
    }
}
