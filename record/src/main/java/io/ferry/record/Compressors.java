package io.ferry.record;

import java.nio.ByteBuffer;

/** Compresses and decompresses the records section of a batch, as Kafka's clients frame each codec. */
final class Compressors {

    private Compressors() {
    }

    static ByteBuffer compress(CompressionType type, ByteBuffer records) {
        if (type == CompressionType.NONE) {
            return records;
        }
        throw new UnsupportedOperationException("compression " + type.configName + " is not implemented yet");
    }
}
