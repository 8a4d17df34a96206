package io.ferry.replication.simulation;

/** The properties the simulation checks after every event; see docs/architecture.md for why each is right. */
enum Invariant {
    /** An acks=all batch is acknowledged only once min.insync.replicas replicas hold it, and no replica that stays in the ISR loses it. */
    ACKNOWLEDGED_RECORDS_SURVIVE,
    /** No two replicas hold different batches below their high watermarks. */
    CONSISTENT_BELOW_HIGH_WATERMARK,
    /** The high watermark a leader serves at an epoch never moves back; a later leader catches up with it. */
    MONOTONIC_HIGH_WATERMARK,
    /** A leader's log holds every committed batch of the epochs before its own, and keeps them. */
    LEADERS_KEEP_COMMITTED_RECORDS,
    /** Once the faults stop, with at most RF - min.insync.replicas brokers down, an acks=all produce is acknowledged. */
    PROGRESS
}
