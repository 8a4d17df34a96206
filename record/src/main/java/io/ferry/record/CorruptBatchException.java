package io.ferry.record;

/**
 * Bytes that do not form a valid RecordBatch v2. The {@link Problem} says what is wrong in a way a
 * caller can switch on; the message says it in a way a person can act on.
 */
public final class CorruptBatchException extends Exception {

    /** What made the bytes invalid. */
    public enum Problem {
        /** Fewer bytes than the batch header, or than the batch length announces. */
        TRUNCATED,
        /** A length field that is negative or larger than the batch allows. */
        INVALID_LENGTH,
        /** A magic byte other than 2. */
        UNSUPPORTED_MAGIC,
        /** The stored CRC-32C does not match the bytes it covers. */
        CRC_MISMATCH,
        /** The record count disagrees with the records present or with the offset range. */
        INVALID_RECORD_COUNT,
        /** A record inside the batch is malformed. */
        INVALID_RECORD,
        /** Compression codec bits that name no codec, or a payload the codec cannot decode. */
        INVALID_COMPRESSION,
        /**
         * The records decompress to more bytes than the reader allows: a decompression bomb, or a batch
         * larger than this reader was configured to accept.
         */
        DECOMPRESSED_TOO_LARGE
    }

    private final Problem problem;

    public CorruptBatchException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public CorruptBatchException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
