package io.ferry.config;

import java.util.Set;

/**
 * A listener as Kafka's {@code listeners} key writes one: {@code PROTOCOL://host:port}.
 *
 * @param securityProtocol what the listener speaks on its connections: {@code PLAINTEXT}, {@code SSL} or
 *                         {@code SASL_SSL} (TLS, and every client authenticates with a password)
 * @param address          where it binds, or where clients are sent to
 */
public record ListenerAddress(String securityProtocol, HostPort address) {

    /** The security protocols a Kafka listener offers: passwords are accepted only over TLS, so no SASL_PLAINTEXT. */
    static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_SSL");

    /** Whether connections are TLS. */
    public boolean tls() {
        return !securityProtocol.equals("PLAINTEXT");
    }

    /** Whether every client authenticates with a password (SASL). */
    public boolean sasl() {
        return securityProtocol.equals("SASL_SSL");
    }

    static ListenerAddress parse(String text) throws InvalidValueException {
        int scheme = text.indexOf("://");
        if (scheme <= 0) {
            throw new InvalidValueException(
                    "expected PROTOCOL://host:port (PLAINTEXT or SSL), got " + Quoting.quoted(text));
        }
        String protocol = text.substring(0, scheme);
        if (!PROTOCOLS.contains(protocol)) {
            throw new InvalidValueException("the Kafka listener serves PLAINTEXT, SSL or SASL_SSL (passwords are"
                    + " accepted only over TLS, so SASL_PLAINTEXT is not offered), got " + Quoting.quoted(text));
        }
        return new ListenerAddress(protocol, HostPort.parse(text.substring(scheme + 3)));
    }

    @Override
    public String toString() {
        return securityProtocol + "://" + address;
    }
}
