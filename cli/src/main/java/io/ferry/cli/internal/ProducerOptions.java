package io.ferry.cli.internal;

import io.ferry.client.ProducerConfig;
import io.ferry.record.CompressionType;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The producer settings that {@code produce} and {@code perf produce} share, mixed into both. */
final class ProducerOptions {

    @Option(
            names = "--acks",
            defaultValue = "all",
            converter = Converters.AcksConverter.class,
            description = "0 (don't wait), 1 (leader wrote it) or all (every in-sync replica has it); "
                    + "default: ${DEFAULT-VALUE}.")
    String acks;

    @Option(
            names = "--compression",
            defaultValue = "none",
            converter = Converters.CompressionConverter.class,
            paramLabel = "CODEC",
            description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
    CompressionType compression;

    @Option(names = "--batch-size", paramLabel = "BYTES", description = "Producer batch.size.")
    Integer batchSize;

    @Option(names = "--linger-ms", paramLabel = "MS", description = "Producer linger.ms.")
    Long lingerMs;

    /** The options as producer settings; those not given are left to the producer's defaults. */
    Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put(ProducerConfig.ACKS, acks);
        settings.put(ProducerConfig.COMPRESSION_TYPE, compression.configName);
        if (batchSize != null) {
            settings.put(ProducerConfig.BATCH_SIZE, batchSize.toString());
        }
        if (lingerMs != null) {
            settings.put(ProducerConfig.LINGER_MS, lingerMs.toString());
        }
        return settings;
    }
}
