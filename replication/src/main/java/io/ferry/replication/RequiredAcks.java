package io.ferry.replication;

/** When a produce request is answered. */
public enum RequiredAcks {
    /** Never: the client does not wait. */
    NONE,
    /** After the leader's local append. */
    LEADER,
    /** Once the high watermark passed the request's last offset, i.e. every ISR member has it. */
    ALL
}
