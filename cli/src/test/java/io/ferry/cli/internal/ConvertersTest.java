package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.record.CompressionType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

    @Test
    void durations() {
        Converters.DurationConverter c = new Converters.DurationConverter();
        assertEquals(Duration.ofMillis(500), c.convert("500ms"));
        assertEquals(Duration.ofSeconds(2), c.convert("2s"));
        assertEquals(Duration.ofSeconds(7), c.convert("7"));
        assertEquals(Duration.ofMinutes(5), c.convert("5m"));
        assertEquals(Duration.ofHours(1), c.convert("1H"));
        for (String bad : new String[] {"", "1x", "-1s", "1.5s", "9999999999999s"}) {
            assertThrows(TypeConversionException.class, () -> c.convert(bad), bad);
        }
    }

    @Test
    void timestamps() {
        Converters.TimestampConverter c = new Converters.TimestampConverter();
        assertEquals(1_763_769_600_000L, c.convert("1763769600000"));
        assertEquals(1_763_769_600_000L, c.convert("2025-11-22T00:00:00Z"));
        assertEquals(1_763_769_600_000L, c.convert("2025-11-22T01:00:00+01:00"));
        assertThrows(TypeConversionException.class, () -> c.convert("yesterday"));
    }

    @Test
    void acksAndCompression() {
        Converters.AcksConverter acks = new Converters.AcksConverter();
        assertEquals("all", acks.convert("ALL"));
        assertEquals("all", acks.convert("-1"));
        assertEquals("0", acks.convert("0"));
        assertThrows(TypeConversionException.class, () -> acks.convert("2"));
        assertEquals(CompressionType.ZSTD, new Converters.CompressionConverter().convert("zstd"));
        assertThrows(TypeConversionException.class, () -> new Converters.CompressionConverter().convert("brotli"));
    }
}
