package io.ferry.cli.internal;

import io.ferry.client.PartitionInfo;

/** How healthy a partition is, as an operator reads it. */
public enum PartitionStatus {
    OK("ok"),
    /** Fewer in-sync replicas than replicas: one more failure may stop acks=all writes. */
    UNDER_REPLICATED("UNDER-REPLICATED"),
    /** No leader: nothing can be produced to or consumed from it. */
    OFFLINE("OFFLINE");

    private final String label;

    PartitionStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static PartitionStatus of(PartitionInfo p) {
        if (p.leader() < 0) {
            return OFFLINE;
        }
        return p.isr().size() < p.replicas().size() ? UNDER_REPLICATED : OK;
    }
}
