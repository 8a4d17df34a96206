package io.ferry.storage.internal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The file {@code <20-digit offset>.snapshot}: every producer's state as of that offset (the state after
 * every batch below it), as Kafka writes at each segment roll. Binary, big-endian:
 *
 * <pre>
 * version: int16 (1)
 * crc:     int32, CRC-32C of everything after it
 * count:   int32 producers, then for each:
 *   producer id: int64, epoch: int16, last timestamp: int64, run count: int8 (1 to 5), then for each run
 *   ({@link ProducerStateEntry}), oldest first:
 *     last sequence: int32, last offset: int64, offset delta: int32, max timestamp: int64
 * </pre>
 *
 * <p>Unlike Kafka's snapshot (one batch per producer) it keeps all five runs, so a retry of any batch
 * in them is still recognised after a restart. A write goes to {@code .snapshot.tmp} and is renamed into
 * place, so a file has either its whole content or none; it is not forced, as a snapshot only saves
 * replaying the log: one a crash tore fails its CRC and is ignored ({@link CorruptSnapshotException}).
 */
public final class ProducerStateSnapshot {

    public static final String SUFFIX = ".snapshot";
    private static final String TMP_SUFFIX = SUFFIX + ".tmp";
    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.snapshot");

    private static final short VERSION = 1;
    private static final int HEADER_BYTES = Short.BYTES + Integer.BYTES + Integer.BYTES;
    private static final int PRODUCER_BYTES = Long.BYTES + Short.BYTES + Long.BYTES + Byte.BYTES;
    private static final int BATCH_BYTES = Integer.BYTES + Long.BYTES + Integer.BYTES + Long.BYTES;
    private static final int CRC_POSITION = Short.BYTES;

    private ProducerStateSnapshot() {}

    /** A snapshot file that cannot be read: torn by a crash, damaged, or of an unknown version. */
    public static final class CorruptSnapshotException extends Exception {
        CorruptSnapshotException(Path file, String problem) {
            super("producer state snapshot " + file + " is unreadable: " + problem);
        }
    }

    public static Path file(Path dir, long offset) {
        return dir.resolve(LogSegment.fileName(offset, SUFFIX));
    }

    /** The snapshot files of {@code dir} by offset; removes the temporary files a crash left. */
    public static TreeMap<Long, Path> list(Path dir) throws IOException {
        TreeMap<Long, Path> snapshots = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher matcher = NAME.matcher(name);
                if (matcher.matches()) {
                    snapshots.put(Long.parseLong(matcher.group(1)), file);
                } else if (name.endsWith(TMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                }
            }
        }
        return snapshots;
    }

    public static void write(Path dir, long offset, Collection<ProducerStateEntry> producers) throws IOException {
        int size = HEADER_BYTES;
        for (ProducerStateEntry producer : producers) {
            size += PRODUCER_BYTES + producer.runs().size() * BATCH_BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putShort(VERSION).putInt(0).putInt(producers.size());
        for (ProducerStateEntry producer : producers) {
            buffer.putLong(producer.producerId())
                    .putShort(producer.epoch())
                    .putLong(producer.lastTimestamp())
                    .put((byte) producer.runs().size());
            for (BatchMetadata batch : producer.runs()) {
                buffer.putInt(batch.lastSeq())
                        .putLong(batch.lastOffset())
                        .putInt(batch.offsetDelta())
                        .putLong(batch.timestamp());
            }
        }
        buffer.putInt(CRC_POSITION, crc(buffer.array()));
        Path tmp = dir.resolve(LogSegment.fileName(offset, TMP_SUFFIX));
        Files.write(tmp, buffer.array());
        Files.move(tmp, file(dir, offset), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static List<ProducerStateEntry> read(Path file) throws IOException, CorruptSnapshotException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file));
        if (buffer.remaining() < HEADER_BYTES) {
            throw new CorruptSnapshotException(file, buffer.remaining() + " bytes, fewer than a header");
        }
        short version = buffer.getShort();
        if (version != VERSION) {
            throw new CorruptSnapshotException(file, "version " + version + ", only " + VERSION + " is known");
        }
        int stored = buffer.getInt();
        int computed = crc(buffer.array());
        if (stored != computed) {
            throw new CorruptSnapshotException(
                    file,
                    "CRC-32C stored " + Integer.toHexString(stored) + " but the content hashes to "
                            + Integer.toHexString(computed));
        }
        try {
            int count = buffer.getInt();
            List<ProducerStateEntry> producers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long producerId = buffer.getLong();
                short epoch = buffer.getShort();
                long lastTimestamp = buffer.getLong();
                int batchCount = buffer.get();
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int j = 0; j < batchCount; j++) {
                    batches.add(
                            new BatchMetadata(buffer.getInt(), buffer.getLong(), buffer.getInt(), buffer.getLong()));
                }
                producers.add(new ProducerStateEntry(producerId, epoch, batches, lastTimestamp));
            }
            if (buffer.hasRemaining()) {
                throw new CorruptSnapshotException(file, buffer.remaining() + " bytes follow the last producer");
            }
            return producers;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptSnapshotException(file, "its content does not match its producer count: " + e);
        }
    }

    private static int crc(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content, HEADER_BYTES - Integer.BYTES, content.length - (HEADER_BYTES - Integer.BYTES));
        return (int) crc.getValue();
    }
}
