package io.ferry.node.internal.broker.handler;

import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;

/**
 * Bounds on the numbers and enums of client requests, checked before a field sizes or steers
 * anything: a value out of range is an INVALID_REQUEST naming the field and the value the client sent,
 * never a silent default. 0 keeps the meaning the {@code .proto} gives it (ACKS_UNSPECIFIED is all,
 * timeout_ms 0 the broker's default). Each check returns null when the value is acceptable.
 */
final class RequestFields {

    private RequestFields() {}

    /** The first refusal among {@code checks}, or null. */
    static Error firstOf(Error... checks) {
        for (Error check : checks) {
            if (check != null) {
                return check;
            }
        }
        return null;
    }

    static Error nonNegative(String field, long value) {
        return atLeast(field, value, 0, "0 or more");
    }

    /** A leader epoch a client reports: -1 when it knows none. */
    static Error epoch(String field, int value) {
        return atLeast(field, value, -1, "-1 (unknown) or a leader epoch (0 or more)");
    }

    /** @param expected what the field may hold, for the message */
    static Error atLeast(String field, long value, long min, String expected) {
        return value >= min
                ? null
                : PartitionLookup.error(ErrorCode.INVALID_REQUEST, field + " is " + value + "; it must be " + expected);
    }

    /** A value the {@code .proto} defines; a newer client's value this broker does not know is refused too. */
    static Error acks(int value) {
        return Acks.forNumber(value) != null
                ? null
                : PartitionLookup.error(
                        ErrorCode.INVALID_REQUEST,
                        "acks is " + value
                                + "; it must be 0 (unspecified, meaning all), 1 (none), 2 (leader) or 3 (all)");
    }
}
