package io.ferry.replication.simulation;

import io.ferry.replication.Partition;

/** One replica leading at one epoch, from the event it became leader until it stops or its process dies. */
final class Leadership {

    final int broker;
    /** The replica object of the broker's process: a restarted process has another. */
    final Partition partition;

    final int epoch;
    /** The log end offset when it became leader: its own batches start here. */
    final long epochStart;
    /** The high watermark it served at the last event (its log start before the first): the batches below are committed. */
    long highWatermark;

    Leadership(int broker, Partition partition, int epoch, long epochStart, long highWatermark) {
        this.broker = broker;
        this.partition = partition;
        this.epoch = epoch;
        this.epochStart = epochStart;
        this.highWatermark = highWatermark;
    }

    boolean is(Partition p, int e) {
        return partition == p && epoch == e;
    }

    @Override
    public String toString() {
        return "broker " + broker + " leading at epoch " + epoch;
    }
}
