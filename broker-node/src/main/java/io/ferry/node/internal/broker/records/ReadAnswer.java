package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.storage.BufferLease;
import java.nio.ByteBuffer;

/**
 * What a leader answered for one partition of a Subscribe read.
 *
 * @param error   NONE on success
 * @param records whole batches below the high watermark, empty if none; readable until {@code lease} is released
 */
record ReadAnswer(ErrorCode error, String message, ByteBuffer records, BufferLease lease) {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    static ReadAnswer failed(ErrorCode error, String message) {
        return new ReadAnswer(error, message, EMPTY, BufferLease.NONE);
    }
}
