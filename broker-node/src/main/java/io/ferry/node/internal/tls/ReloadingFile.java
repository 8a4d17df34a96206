package io.ferry.node.internal.tls;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConfigProblem;
import io.ferry.config.ConfigValues;
import io.ferry.config.NodeKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A credential file of an {@code ssl.*} key, read at start and read again every interval: when its bytes
 * changed, they go to the consumer, which replaces the credentials that new connections use. Polling
 * compares content, not modification times, so it also sees the symbolic link swap by which Kubernetes
 * updates a mounted secret. A file that does not read or does not parse (written half-way) is logged and
 * read again at the next interval; the last good credentials stay.
 *
 * <p>The reads after the first run on the given scheduler, one at a time.
 */
final class ReloadingFile {

    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

    /** Puts a file's content to use; throws when it is not a valid credential. */
    @FunctionalInterface
    interface Consumer {
        void accept(byte[] content) throws IOException, GeneralSecurityException;
    }

    private final ConfigKey<String> key;
    private final Path file;
    private final Consumer consumer;
    private byte[] applied;

    private ReloadingFile(ConfigKey<String> key, Path file, Consumer consumer, byte[] applied) {
        this.key = key;
        this.file = file;
        this.consumer = consumer;
        this.applied = applied;
    }

    /**
     * Reads the file {@code key} names and gives it to {@code consumer}, then does so again every
     * {@code ssl.reload.interval.ms} when it changed.
     *
     * @throws ConfigException naming the key when the file does not read or {@code consumer} rejects it
     */
    static void watch(ConfigValues config, ConfigKey<String> key, Consumer consumer, ScheduledExecutorService scheduler)
            throws ConfigException {
        Path file = Path.of(config.get(key));
        long interval = config.get(NodeKeys.SSL_RELOAD_INTERVAL_MS);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
            consumer.accept(content);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(
                    new ConfigProblem(key.name(), config.origin(key), "cannot use " + file + ": " + describe(e)));
        }
        ReloadingFile watched = new ReloadingFile(key, file, consumer, content);
        scheduler.scheduleWithFixedDelay(watched::reloadIfChanged, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void reloadIfChanged() {
        try {
            byte[] content = Files.readAllBytes(file);
            if (!Arrays.equals(content, applied)) {
                consumer.accept(content);
                applied = content;
                log.info("Reloaded {} from {}: new TLS connections use it", key.name(), file);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            log.warn(
                    "Cannot reload {} from {}: {}; keeping the credentials read before, trying again in a moment",
                    key.name(),
                    file,
                    describe(e));
        }
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
