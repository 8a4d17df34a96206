package io.ferry.cli.internal;

import io.ferry.record.CompressionType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for option values people type: durations, timestamps, codecs and acks. */
public final class Converters {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Converters() {}

    /** {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches() || m.group(1).length() > 12) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 2s, 5m, 1h)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    /**
     * Milliseconds since the epoch, or an ISO-8601 instant ({@code 2026-11-22T10:15:30Z}) or date-time
     * with offset ({@code 2026-11-22T11:15:30+01:00}).
     */
    public static final class TimestampConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim();
            if (v.matches("\\d{1,15}")) {
                return Long.parseLong(v);
            }
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(v).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    throw new TypeConversionException("'" + value + "' is neither milliseconds since the epoch nor "
                            + "an ISO-8601 time such as 2026-11-22T10:15:30Z");
                }
            }
        }
    }

    /** A codec name: none, gzip, snappy, lz4, zstd. */
    public static final class CompressionConverter implements ITypeConverter<CompressionType> {
        @Override
        public CompressionType convert(String value) {
            try {
                return CompressionType.forName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(
                        "unknown compression '" + value + "' (expected none, gzip, snappy, lz4 or zstd)");
            }
        }
    }

    /** {@code 0}, {@code 1}, {@code all} (or {@code -1}, Kafka's spelling of all). */
    public static final class AcksConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "0", "1", "all" -> v;
                case "-1" -> "all";
                default -> throw new TypeConversionException("acks must be 0, 1 or all, not '" + value + "'");
            };
        }
    }
}
