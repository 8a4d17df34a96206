package io.ferry.config;

import static io.ferry.config.Importance.HIGH;
import static io.ferry.config.Importance.LOW;
import static io.ferry.config.Importance.MEDIUM;
import static io.ferry.config.Validators.any;
import static io.ferry.config.Validators.atLeast;
import static io.ferry.config.Validators.between;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys every Ferry client reads (Kafka's {@code CommonClientConfigs}): where the brokers are, how
 * long to wait for one answer, how to pace retries, how old metadata may get, a name for logs, whether to
 * use TLS, which CAs to trust and which certificate to present; and
 * {@code default.api.timeout.ms}, which the consumer and the admin client read. Each client's own keys
 * are in {@link ProducerKeys}, {@link ConsumerKeys} and {@link AdminKeys}.
 */
public final class ClientKeys {

    private static final long INT_MAX = Integer.MAX_VALUE;

    public static final ConfigKey<List<HostPort>> BOOTSTRAP_SERVERS = ConfigKey.required(
            "bootstrap.servers",
            ConfigType.HOST_PORT_LIST,
            Validators.nonEmptyConnectable(),
            HIGH,
            "Brokers (`host:port`, separated by commas) to fetch the first metadata from; the client then talks "
                    + "to the brokers that lead the partitions it uses. Any broker knows the whole cluster, so a "
                    + "few are enough.");

    public static final ConfigKey<Long> REQUEST_TIMEOUT_MS = ConfigKey.define(
            "request.timeout.ms",
            ConfigType.DURATION_MS,
            30_000L,
            between(1, INT_MAX),
            MEDIUM,
            "How long the client waits for a broker's answer to one request.");

    public static final ConfigKey<Long> RETRY_BACKOFF_MS = ConfigKey.define(
            "retry.backoff.ms",
            ConfigType.DURATION_MS,
            100L,
            atLeast(0),
            LOW,
            "Wait before retrying after a retriable error.");

    public static final ConfigKey<Long> METADATA_MAX_AGE_MS = ConfigKey.define(
            "metadata.max.age.ms",
            ConfigType.DURATION_MS,
            300_000L,
            atLeast(0),
            LOW,
            "Metadata older than this is refreshed even without an error.");

    public static final ConfigKey<String> CLIENT_ID =
            ConfigKey.define("client.id", ConfigType.STRING, "", any(), MEDIUM, "A name for this client in logs.");

    public static final ConfigKey<String> SECURITY_PROTOCOL = NodeKeys.listenerSecurityProtocol(
            "security.protocol",
            HIGH,
            "How the client talks to brokers: `PLAINTEXT`, `SSL` (TLS 1.3 or 1.2, the broker's certificate "
                    + "checked against `ssl.truststore.location` and its host name against the address "
                    + "connected to), or `SASL_SSL` (TLS as `SSL`, and the client authenticates to each broker "
                    + "with the `sasl.jaas.config` user name and password, by `sasl.mechanism`). It must match "
                    + "the security protocol of the broker listener the bootstrap servers are on.");

    public static final ConfigKey<String> SASL_MECHANISM = ConfigKey.define(
            "sasl.mechanism",
            ConfigType.STRING,
            "SCRAM-SHA-512",
            Validators.oneOf("SCRAM-SHA-512"),
            MEDIUM,
            "With `security.protocol=SASL_SSL`: how the client proves its password, as Kafka's key. "
                    + "SCRAM-SHA-512 sends a proof derived from the password, never the password.");

    public static final ConfigKey<String> SASL_JAAS_CONFIG = ConfigKey.define(
            "sasl.jaas.config",
            ConfigType.STRING,
            "",
            any(),
            HIGH,
            "With `security.protocol=SASL_SSL`: the user name and password, in Kafka's syntax: "
                    + "`org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" "
                    + "password=\"alice-secret\";`. Ferry reads no other login module or option.");

    /** The node's key: the same format, PEM. */
    public static final ConfigKey<String> SSL_TRUSTSTORE_TYPE = NodeKeys.SSL_TRUSTSTORE_TYPE;

    public static final ConfigKey<String> SSL_TRUSTSTORE_LOCATION = NodeKeys.pemFile(
            "ssl.truststore.location",
            "With `security.protocol=SSL`: a PEM file of the CA certificates that sign the brokers' "
                    + "certificates. Empty: the JDK's default CAs.");

    /** The node's key: the same format, PEM. */
    public static final ConfigKey<String> SSL_KEYSTORE_TYPE = NodeKeys.SSL_KEYSTORE_TYPE;

    public static final ConfigKey<String> SSL_KEYSTORE_LOCATION = NodeKeys.pemFile(
            "ssl.keystore.location",
            "With `security.protocol=SSL`: a PEM file with the client's private key (unencrypted PKCS#8, "
                    + "`BEGIN PRIVATE KEY`) and its certificate chain (`BEGIN CERTIFICATE`, the client's own "
                    + "first), presented to brokers that ask for one (`ssl.client.auth`); the broker names the "
                    + "client by the certificate's subject. Empty: no client certificate.");

    public static final ConfigKey<Long> DEFAULT_API_TIMEOUT_MS = ConfigKey.define(
            "default.api.timeout.ms",
            ConfigType.DURATION_MS,
            60_000L,
            between(0, INT_MAX),
            MEDIUM,
            "Read by the consumer and the admin client: how long a blocking call that takes no timeout of its "
                    + "own may take (the consumer's `position`, `offsetsForTimes`, ...; every admin call, retries "
                    + "included).");

    /** The keys of every client. */
    static final List<ConfigKey<?>> COMMON = List.of(
            BOOTSTRAP_SERVERS,
            REQUEST_TIMEOUT_MS,
            RETRY_BACKOFF_MS,
            METADATA_MAX_AGE_MS,
            CLIENT_ID,
            SECURITY_PROTOCOL,
            SASL_MECHANISM,
            SASL_JAAS_CONFIG,
            SSL_TRUSTSTORE_TYPE,
            SSL_TRUSTSTORE_LOCATION,
            SSL_KEYSTORE_TYPE,
            SSL_KEYSTORE_LOCATION);

    /** All keys above. */
    public static final ConfigDef DEFINITION = withCommon(DEFAULT_API_TIMEOUT_MS);

    private ClientKeys() {}

    /** The common keys and {@code own}: one client's definition. */
    static ConfigDef withCommon(ConfigKey<?>... own) {
        List<ConfigKey<?>> keys = new ArrayList<>(COMMON);
        keys.addAll(List.of(own));
        return ConfigDef.of(keys.toArray(ConfigKey<?>[]::new));
    }
}
