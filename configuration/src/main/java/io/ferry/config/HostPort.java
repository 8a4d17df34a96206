package io.ferry.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A host and a TCP port as written in configuration ({@code host:port}, or {@code [v6addr]:port}).
 * Port 0 asks the operating system for a free port; the node then reports the bound one.
 *
 * @param host a host name or literal address, never empty; IPv6 literals without brackets
 * @param port 0–65535
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6addr]:port}.
     *
     * @throws InvalidValueException naming the expected form
     */
    static HostPort parse(String text) throws InvalidValueException {
        String expected = "expected host:port (port 0-65535; [address]:port for IPv6), got " + Quoting.quoted(text);
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new InvalidValueException(expected);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw new InvalidValueException(expected);
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidValueException(expected);
        }
        String portText = text.substring(colon + 1);
        if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidValueException(expected);
        }
        int port = Integer.parseInt(portText);
        if (port > 65_535) {
            throw new InvalidValueException(expected);
        }
        return new HostPort(host, port);
    }

    /**
     * Resolves the host for binding a server socket.
     *
     * @throws UnknownHostException if the host does not resolve
     */
    public InetSocketAddress resolveForBind() throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
