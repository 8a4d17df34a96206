package io.ferry.cli.internal;

import io.ferry.client.FetchedBatch;
import io.ferry.record.CompressionType;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The lines of {@code ferry topic dump}, in {@code kafka-dump-log}'s {@code name: value} style: one line
 * per batch with its header as stored, one {@code | }-prefixed line per record. A batch or record that
 * cannot be decoded gets {@code problem:} or {@code | undecodable:} with the decoder's reason. Bytes
 * from the log (keys, values, header keys) are printed escaped, so no byte of them reaches a terminal
 * as a control character. Pure functions; thread-safe.
 */
public final class BatchFormat {

    /** Most key or value bytes {@link #record} prints; the size is always printed. */
    public static final int PRINTED_BYTES = 64;

    private BatchFormat() {}

    /** One line for the batch's header as read, its CRC's validity and, for a bad one, its problem and end. */
    public static String batch(FetchedBatch fetched) {
        RecordBatch b = fetched.batch();
        StringBuilder sb = new StringBuilder("baseOffset: ").append(fetched.baseOffset());
        if (b != null) {
            CompressionType codec = b.compression();
            sb.append(" lastOffset: ")
                    .append(b.baseOffset() + b.lastOffsetDelta())
                    .append(" count: ")
                    .append(b.recordCount())
                    .append(" size: ")
                    .append(fetched.framed() ? b.sizeInBytes() : (long) b.batchLength() + RecordBatch.LOG_OVERHEAD)
                    .append(" partitionLeaderEpoch: ")
                    .append(b.partitionLeaderEpoch())
                    .append(" magic: ")
                    .append(b.magic())
                    .append(" compresscodec: ")
                    .append(codec == null ? "unknown" : codec.name().toLowerCase(Locale.ROOT))
                    .append(" attributes: ")
                    .append(String.format("0x%04x", b.attributes() & 0xffff))
                    .append(" isTransactional: ")
                    .append(b.isTransactional())
                    .append(" isControl: ")
                    .append(b.isControl())
                    .append(" producerId: ")
                    .append(b.producerId())
                    .append(" producerEpoch: ")
                    .append(b.producerEpoch())
                    .append(" baseSequence: ")
                    .append(b.baseSequence())
                    .append(" lastSequence: ")
                    .append(lastSequence(b.baseSequence(), b.lastOffsetDelta()))
                    .append(' ')
                    .append(timestampType(b))
                    .append(" baseTimestamp: ")
                    .append(b.baseTimestamp())
                    .append(" maxTimestamp: ")
                    .append(b.maxTimestamp())
                    .append(" crc: ")
                    .append(b.checksum())
                    .append(" isvalid: ")
                    .append(fetched.framed() ? String.valueOf(b.checksum() == b.computeChecksum()) : "unknown");
        }
        if (fetched.problem() != null) {
            sb.append(" problem: ").append(reason(fetched.problem()));
            sb.append(" next: ")
                    .append(
                            switch (fetched.end()) {
                                case HEADER -> String.valueOf(fetched.nextOffset());
                                case NEXT_BATCH -> fetched.nextOffset() + " (where the next batch starts)";
                                case UNCHECKED_HEADER -> fetched.nextOffset() + " (from this unchecked header)";
                                case UNKNOWN -> "unknown";
                            });
        }
        return sb.toString();
    }

    /** One line for a decoded record: offset, timestamp, sizes, header keys and, if asked, key and value. */
    public static String record(RecordBatch batch, Record record, boolean printData) {
        StringBuilder sb = new StringBuilder("| offset: ")
                .append(record.offset())
                .append(' ')
                .append(timestampType(batch))
                .append(": ")
                .append(record.timestamp())
                .append(" keySize: ")
                .append(record.keySize())
                .append(" valueSize: ")
                .append(record.valueSize())
                .append(" headerKeys: ")
                .append(record.headers().stream().map(h -> escape(h.key())).collect(Collectors.joining(",", "[", "]")));
        if (printData) {
            sb.append(" key: ")
                    .append(printable(record.key()))
                    .append(" payload: ")
                    .append(printable(record.value()));
        }
        return sb.toString();
    }

    /** The line that ends a batch's records when one cannot be decoded. */
    public static String undecodable(CorruptBatchException e) {
        return "| undecodable: " + reason(e);
    }

    private static String reason(CorruptBatchException e) {
        return e.problem() + ": " + e.getMessage();
    }

    private static String timestampType(RecordBatch batch) {
        return batch.isLogAppendTime() ? "LogAppendTime" : "CreateTime";
    }

    /** The sequence of the batch's last record, wrapping past Integer.MAX_VALUE to 0 as producers do. */
    static int lastSequence(int baseSequence, int lastOffsetDelta) {
        if (baseSequence < 0) {
            return baseSequence;
        }
        return (int) (((long) baseSequence + lastOffsetDelta) % ((long) Integer.MAX_VALUE + 1));
    }

    /** Up to {@link #PRINTED_BYTES} bytes escaped as {@link #escape}, then "..." and the size; "null" for none. */
    static String printable(ByteBuffer bytes) {
        if (bytes == null) {
            return "null";
        }
        int shown = Math.min(bytes.remaining(), PRINTED_BYTES);
        byte[] prefix = new byte[shown];
        bytes.duplicate().get(prefix);
        String text = escape(new String(prefix, StandardCharsets.ISO_8859_1));
        return shown == bytes.remaining() ? text : text + "...(" + bytes.remaining() + " bytes)";
    }

    /** Printable ASCII as is (backslash doubled), every other character as \xNN or backslash-u NNNN. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else if (c <= 0xff) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }
}
