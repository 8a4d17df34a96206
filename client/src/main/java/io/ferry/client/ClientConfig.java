package io.ferry.client;

import io.ferry.client.internal.SaslLogin;
import io.ferry.config.ClientKeys;
import io.ferry.config.ConfigDef;
import io.ferry.config.ConfigException;
import io.ferry.config.ConfigKey;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.ConfigProblem;
import io.ferry.config.ConfigSources;
import io.ferry.config.ConfigValues;
import io.ferry.security.scram.ScramMechanism;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The settings every Ferry client has (Kafka's {@code CommonClientConfigs}): where the brokers are,
 * how long to wait for one answer, how to pace retries, how old metadata may get, a name for logs, and
 * whether to use TLS and which certificate to present.
 * Every key is declared in the configuration module ({@link ClientKeys} and each client's own). An
 * unknown key or a malformed value is a {@link FerryConfigException} naming it. Immutable.
 */
public abstract sealed class ClientConfig permits AdminConfig, ConsumerConfig, ProducerConfig {

    public static final String BOOTSTRAP_SERVERS = ClientKeys.BOOTSTRAP_SERVERS.name();
    public static final String REQUEST_TIMEOUT_MS = ClientKeys.REQUEST_TIMEOUT_MS.name();
    public static final String RETRY_BACKOFF_MS = ClientKeys.RETRY_BACKOFF_MS.name();
    public static final String METADATA_MAX_AGE_MS = ClientKeys.METADATA_MAX_AGE_MS.name();
    public static final String CLIENT_ID = ClientKeys.CLIENT_ID.name();
    public static final String SECURITY_PROTOCOL = ClientKeys.SECURITY_PROTOCOL.name();
    public static final String SASL_MECHANISM = ClientKeys.SASL_MECHANISM.name();
    public static final String SASL_JAAS_CONFIG = ClientKeys.SASL_JAAS_CONFIG.name();
    public static final String SSL_TRUSTSTORE_TYPE = ClientKeys.SSL_TRUSTSTORE_TYPE.name();
    public static final String SSL_TRUSTSTORE_LOCATION = ClientKeys.SSL_TRUSTSTORE_LOCATION.name();
    public static final String SSL_KEYSTORE_TYPE = ClientKeys.SSL_KEYSTORE_TYPE.name();
    public static final String SSL_KEYSTORE_LOCATION = ClientKeys.SSL_KEYSTORE_LOCATION.name();

    private final ConfigValues values;
    private final List<InetSocketAddress> bootstrapServers;

    ClientConfig(ConfigValues values) {
        this.values = values;
        this.bootstrapServers = values.get(ClientKeys.BOOTSTRAP_SERVERS).stream()
                .map(address -> InetSocketAddress.createUnresolved(address.host(), address.port()))
                .toList();
    }

    /**
     * Resolves {@code props} (a {@code Map} or {@code Properties}; values may be strings, numbers,
     * booleans or, for lists, {@code List}s) against a client's definition.
     *
     * @param what whose configuration, as problems name it (e.g. {@code producer configuration})
     * @throws FerryConfigException naming every unknown key, malformed or invalid value and missing key
     */
    static ConfigValues resolve(ConfigDef definition, Map<?, ?> props, String what) {
        try {
            return definition.resolve(ConfigSources.supplied(props, ConfigOrigin.supplied(what)));
        } catch (ConfigException e) {
            throw new FerryConfigException(e);
        }
    }

    /** The parsed value of {@code key}, which the client's definition declares. */
    final <T> T value(ConfigKey<T> key) {
        return values.get(key);
    }

    /** Where the value of {@code key} came from: the properties given, or its default. */
    final ConfigOrigin origin(ConfigKey<?> key) {
        return values.origin(key);
    }

    /** Unresolved addresses, in the order given. */
    public List<InetSocketAddress> bootstrapServers() {
        return bootstrapServers;
    }

    public int requestTimeoutMs() {
        return Math.toIntExact(value(ClientKeys.REQUEST_TIMEOUT_MS));
    }

    public long retryBackoffMs() {
        return value(ClientKeys.RETRY_BACKOFF_MS);
    }

    public long metadataMaxAgeMs() {
        return value(ClientKeys.METADATA_MAX_AGE_MS);
    }

    public String clientId() {
        return value(ClientKeys.CLIENT_ID);
    }

    /**
     * How the client's channels to brokers are secured: plaintext, or with {@code security.protocol=SSL} TLS
     * that trusts the CA certificates of {@code ssl.truststore.location} (the JDK's when it is not set), checks
     * the broker's host name, and presents the key and certificate chain of {@code ssl.keystore.location} when
     * it is set (mutual TLS). Reads both files.
     *
     * @throws FerryConfigException naming {@code ssl.truststore.location} or {@code ssl.keystore.location} when
     *                              it does not read or holds nothing usable
     */
    final ChannelCredentials channelCredentials() {
        if (value(ClientKeys.SECURITY_PROTOCOL).equals("PLAINTEXT")) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        String truststore = value(ClientKeys.SSL_TRUSTSTORE_LOCATION);
        if (!truststore.isEmpty()) {
            try (InputStream in = Files.newInputStream(Path.of(truststore))) {
                tls.trustManager(trustManagers(in));
            } catch (IOException | GeneralSecurityException e) {
                throw unusable(ClientKeys.SSL_TRUSTSTORE_LOCATION, e);
            }
        }
        String keystore = value(ClientKeys.SSL_KEYSTORE_LOCATION);
        if (!keystore.isEmpty()) {
            try {
                byte[] pem = Files.readAllBytes(Path.of(keystore));
                // One file holds both: the TLS engine reads the key's block from one stream, the certificates'
                // from the other. Read here first so that a bad file is a configuration error now, not a
                // failure of the first connection.
                SslContextBuilder.forClient().keyManager(new ByteArrayInputStream(pem), new ByteArrayInputStream(pem));
                tls.keyManager(new ByteArrayInputStream(pem), new ByteArrayInputStream(pem));
            } catch (IOException | IllegalArgumentException e) {
                throw unusable(ClientKeys.SSL_KEYSTORE_LOCATION, e);
            }
        }
        return tls.build();
    }

    /**
     * With {@code security.protocol=SASL_SSL}: the user name and password of {@code sasl.jaas.config}, which each
     * channel authenticates with by {@code sasl.mechanism}; otherwise empty.
     *
     * @throws FerryConfigException naming {@code sasl.jaas.config} when it is empty or not in Kafka's syntax (never
     *                              quoting it: it holds the password)
     */
    final Optional<SaslLogin> saslLogin() {
        if (!value(ClientKeys.SECURITY_PROTOCOL).equals("SASL_SSL")) {
            return Optional.empty();
        }
        ScramMechanism mechanism = ScramMechanism.forMechanismName(value(ClientKeys.SASL_MECHANISM))
                .orElseThrow();
        try {
            return Optional.of(SaslLogin.parse(mechanism, value(ClientKeys.SASL_JAAS_CONFIG)));
        } catch (IllegalArgumentException e) {
            throw new FerryConfigException(new ConfigException(new ConfigProblem(
                    ClientKeys.SASL_JAAS_CONFIG.name(),
                    origin(ClientKeys.SASL_JAAS_CONFIG),
                    "with security.protocol=SASL_SSL, expected " + SaslLogin.SCRAM_LOGIN_MODULE
                            + " required username=\"...\" password=\"...\"; : " + e.getMessage())));
        }
    }

    private static TrustManager[] trustManagers(InputStream pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> cas =
                CertificateFactory.getInstance("X.509").generateCertificates(pem);
        if (cas.isEmpty()) {
            throw new CertificateException("expected CA certificates ('-----BEGIN CERTIFICATE-----'), found none");
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (Certificate ca : cas) {
            trusted.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory.getTrustManagers();
    }

    private FerryConfigException unusable(ConfigKey<String> key, Exception e) {
        String reason = e instanceof NoSuchFileException ? "no such file" : e.getMessage();
        if (e instanceof IllegalArgumentException && e.getCause() != null) {
            reason += ": " + e.getCause().getMessage();
        }
        return new FerryConfigException(new ConfigException(
                new ConfigProblem(key.name(), origin(key), "cannot use " + value(key) + ": " + reason)));
    }
}
