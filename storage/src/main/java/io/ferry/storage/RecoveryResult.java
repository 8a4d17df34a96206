package io.ferry.storage;

/**
 * What opening a log had to do.
 *
 * @param cleanShutdown     the log was closed cleanly, so no batch was validated
 * @param segmentsRecovered segments whose batches were validated by length and CRC
 * @param batchesValidated  batches validated in those segments
 * @param bytesTruncated    bytes of torn or corrupt tail removed, including whole segments after it
 * @param indexesRebuilt    segments whose offset and time indexes were rebuilt
 */
public record RecoveryResult(
        boolean cleanShutdown, int segmentsRecovered, long batchesValidated, long bytesTruncated, int indexesRebuilt) {}
