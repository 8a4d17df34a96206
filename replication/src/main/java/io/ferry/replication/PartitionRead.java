package io.ferry.replication;

import io.ferry.storage.BufferLease;
import java.nio.ByteBuffer;

/** What a read of one partition returned: an error, or record bytes (possibly none). */
public interface PartitionRead {

    /** Null on success. */
    PartitionError error();

    /** Whole batches; a read-only slice of the log (or of a received answer), not a copy; empty if none. */
    ByteBuffer records();

    /**
     * The loan of the memory {@link #records()} lies in: whoever ends up with this read releases it once
     * nothing reads the records any more (a read that is dropped, at once).
     */
    BufferLease lease();
}
