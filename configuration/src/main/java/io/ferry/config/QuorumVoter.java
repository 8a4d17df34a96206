package io.ferry.config;

import java.util.Objects;

/**
 * One member of the controller quorum as written in {@code controller.quorum.voters}
 * ({@code id@host:port}, Kafka's format).
 *
 * @param nodeId  the voter's {@code node.id}, non-negative
 * @param address where its Raft (controller quorum) endpoint listens; never port 0
 */
public record QuorumVoter(int nodeId, HostPort address) {

    public QuorumVoter {
        if (nodeId < 0) {
            throw new IllegalArgumentException("negative node id: " + nodeId);
        }
        Objects.requireNonNull(address, "address");
        if (address.port() == 0) {
            throw new IllegalArgumentException("a voter needs a fixed port: " + address);
        }
    }

    static QuorumVoter parse(String text) throws InvalidValueException {
        int at = text.indexOf('@');
        String expected = "expected id@host:port (e.g. 1@localhost:9093), got " + Quoting.quoted(text);
        if (at <= 0) {
            throw new InvalidValueException(expected);
        }
        String idText = text.substring(0, at);
        if (idText.length() > 10 || !idText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidValueException(expected);
        }
        long id = Long.parseLong(idText);
        if (id > Integer.MAX_VALUE) {
            throw new InvalidValueException(expected);
        }
        HostPort address = HostPort.parse(text.substring(at + 1));
        if (address.port() == 0) {
            throw new InvalidValueException(
                    "expected a voter port in 1-65535 (other nodes connect to it), got " + Quoting.quoted(text));
        }
        return new QuorumVoter((int) id, address);
    }

    @Override
    public String toString() {
        return nodeId + "@" + address;
    }
}
