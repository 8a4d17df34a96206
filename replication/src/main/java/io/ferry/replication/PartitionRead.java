package io.ferry.replication;

import java.nio.ByteBuffer;

/** What a read of one partition returned: an error, or record bytes (possibly none). */
public interface PartitionRead {

    /** Null on success. */
    PartitionError error();

    /** Whole batches; a read-only slice of the log, not a copy; empty if none. */
    ByteBuffer records();
}
