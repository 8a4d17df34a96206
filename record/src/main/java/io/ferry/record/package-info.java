/**
 * The record-batch codec: Kafka's RecordBatch v2 (magic 2), byte for byte, and its compression codecs
 * (gzip, snappy, lz4, zstd) framed exactly as Kafka's Java clients frame them. No I/O.
 *
 * <ul>
 *   <li>{@link io.ferry.record.RecordBatchBuilder} builds a batch (producer side).</li>
 *   <li>{@link io.ferry.record.BatchScanner} walks concatenated batches and reports the valid prefix
 *       (broker, storage recovery).</li>
 *   <li>{@link io.ferry.record.RecordBatch} is a zero-copy view of one batch: header fields,
 *       {@code validate()} (framing, magic, codec, count, CRC), offset and leader-epoch patching, and
 *       {@code records()} / {@code validateRecords()} to decode records (consumer side, optional deep
 *       validation on the broker).</li>
 * </ul>
 *
 * <p>All bad input surfaces as {@link io.ferry.record.CorruptBatchException} with a
 * {@link io.ferry.record.CorruptBatchException.Problem}; decoding never allocates by an untrusted length
 * and decompression is capped. Everything under {@code internal} is implementation.
 */
package io.ferry.record;
