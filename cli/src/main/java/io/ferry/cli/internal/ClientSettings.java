package io.ferry.cli.internal;

import io.ferry.client.AdminConfig;
import io.ferry.client.ConsumerConfig;
import io.ferry.client.ProducerConfig;
import io.ferry.config.AdminKeys;
import io.ferry.config.ConfigDef;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConsumerKeys;
import io.ferry.config.ProducerKeys;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds client configurations from the bootstrap servers, the command's own defaults, the
 * {@code --command-config} file and explicit per-command overrides, in increasing precedence.
 *
 * <p>A file key is given only to the clients that define it (one file can then hold producer and
 * consumer settings, as a command may build both an admin client and a consumer); a key no client
 * defines is a usage error naming it. Immutable.
 */
public final class ClientSettings {

    private static final Set<String> ADMIN_KEYS = keysOf(AdminKeys.DEFINITION);
    private static final Set<String> PRODUCER_KEYS = keysOf(ProducerKeys.DEFINITION);
    private static final Set<String> CONSUMER_KEYS = keysOf(ConsumerKeys.DEFINITION);

    private final String bootstrap;
    private final Map<String, String> fileProperties;

    ClientSettings(String bootstrap, Map<String, String> fileProperties) {
        this.bootstrap = bootstrap;
        this.fileProperties = Map.copyOf(fileProperties);
    }

    /** @param bootstrap from the flag or the environment; null when neither gave one */
    static ClientSettings load(String bootstrap, Path file) {
        Map<String, String> props = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(reader);
            } catch (IOException e) {
                throw new UsageException("cannot read --command-config " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k).trim()));
            for (String key : props.keySet()) {
                if (key.equals(AdminConfig.BOOTSTRAP_SERVERS)) {
                    continue;
                }
                if (!ADMIN_KEYS.contains(key) && !PRODUCER_KEYS.contains(key) && !CONSUMER_KEYS.contains(key)) {
                    throw new UsageException(
                            "--command-config " + file + ": unknown client configuration key '" + key + "'");
                }
            }
        }
        // The file's bootstrap.servers applies only when neither the flag nor the variable chose one.
        String fileBootstrap = props.remove(AdminConfig.BOOTSTRAP_SERVERS);
        String servers =
                bootstrap != null ? bootstrap : fileBootstrap != null ? fileBootstrap : ClientOptions.DEFAULT_BOOTSTRAP;
        return new ClientSettings(servers, props);
    }

    /** The bootstrap servers: the flag, else {@code FERRY_BOOTSTRAP}, else the file's, else the default. */
    public String bootstrap() {
        return bootstrap;
    }

    public AdminConfig admin(Map<String, String> overrides) {
        return admin(Map.of(), overrides);
    }

    /** @param commandDefaults the command's own defaults, which the file overrides */
    public AdminConfig admin(Map<String, String> commandDefaults, Map<String, String> overrides) {
        Map<String, String> defaults = new HashMap<>(
                Map.of(AdminConfig.DEFAULT_API_TIMEOUT_MS, "15000", AdminConfig.REQUEST_TIMEOUT_MS, "10000"));
        defaults.putAll(commandDefaults);
        return AdminConfig.of(merge(ADMIN_KEYS, defaults, overrides));
    }

    public ProducerConfig producer(Map<String, String> overrides) {
        return ProducerConfig.of(merge(PRODUCER_KEYS, Map.of(ProducerConfig.MAX_BLOCK_MS, "15000"), overrides));
    }

    public ConsumerConfig consumer(Map<String, String> overrides) {
        return ConsumerConfig.of(
                merge(CONSUMER_KEYS, Map.of(ConsumerConfig.DEFAULT_API_TIMEOUT_MS, "15000"), overrides));
    }

    /**
     * The CLI's defaults are shorter than the library's (a person at a terminal should hear about
     * an unreachable cluster in seconds, not a minute); the file and overrides replace them.
     */
    private Map<String, String> merge(
            Set<String> known, Map<String, String> cliDefaults, Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>(cliDefaults);
        fileProperties.forEach((k, v) -> {
            if (known.contains(k)) {
                out.put(k, v);
            }
        });
        out.put(AdminConfig.BOOTSTRAP_SERVERS, bootstrap);
        out.putAll(overrides);
        return out;
    }

    private static Set<String> keysOf(ConfigDef definition) {
        return definition.keys().stream().map(ConfigKey::name).collect(Collectors.toUnmodifiableSet());
    }
}
