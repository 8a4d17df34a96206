package io.ferry.config;

import java.util.Objects;

/**
 * One key/value pair as a source wrote it, before the key is looked up or the value parsed.
 *
 * @param key    the configuration key as written (for environment variables: already mapped to
 *               the dotted form)
 * @param value  the unparsed value
 * @param origin where it was written
 */
public record RawSetting(String key, String value, ConfigOrigin origin) {
    public RawSetting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }
}
