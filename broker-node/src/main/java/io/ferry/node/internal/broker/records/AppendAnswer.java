package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;

/**
 * One partition's answer to an append, from this broker's replica manager or a leader's Produce response.
 *
 * @param error           NONE when the records were appended
 * @param message         what went wrong; empty on success
 * @param baseOffset      the offset of the partition's first record; -1 on failure
 * @param logAppendTimeMs the leader's timestamp of the records on a LogAppendTime topic, else -1
 */
record AppendAnswer(ErrorCode error, String message, long baseOffset, long logAppendTimeMs) {

    static AppendAnswer failed(ErrorCode error, String message) {
        return new AppendAnswer(error, message, -1, -1);
    }

    boolean succeeded() {
        return error == ErrorCode.NONE;
    }
}
