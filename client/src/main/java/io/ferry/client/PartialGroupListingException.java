package io.ferry.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link FerryAdmin#listConsumerGroups()} heard from some brokers but not from all: each broker lists only the
 * groups it coordinates, so the listing is incomplete. Carries the groups of the brokers that answered
 * and, per broker that did not, why; as Kafka's {@code ListConsumerGroupsResult} has {@code valid()} and
 * {@code errors()}. Its code and retriability are those of the failures (retriable only if all are).
 */
public final class PartialGroupListingException extends FerryException {

    private static final long serialVersionUID = 1L;

    private final transient List<ConsumerGroupListing> listed;
    private final transient Map<String, FerryException> failures;

    /**
     * @param listed   the groups of the brokers that answered, sorted by id
     * @param failures per broker that did not answer ({@code host:port}), its last error; not empty, in the
     *                 order the message names them
     * @param brokers  how many brokers were asked
     */
    public PartialGroupListingException(
            List<ConsumerGroupListing> listed, Map<String, FerryException> failures, int brokers) {
        super(
                failures.values().iterator().next().code(),
                failures.values().stream().allMatch(FerryException::retriable),
                message(failures, brokers),
                null);
        this.listed = List.copyOf(listed);
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        // Suppressed, not the cause: no one broker's failure is the reason for the whole.
        failures.values().forEach(this::addSuppressed);
    }

    /** The groups of the brokers that answered, sorted by id. */
    public List<ConsumerGroupListing> listed() {
        return listed;
    }

    /** Per broker that did not answer ({@code host:port}), its last error; sorted by broker. */
    public Map<String, FerryException> failures() {
        return failures;
    }

    /** One line (the CLI prints a message's first line): each broker with its error's code and first line. */
    private static String message(Map<String, FerryException> failures, int brokers) {
        return "could not list the groups of " + failures.size() + " of " + brokers + " broker(s), so the listing "
                + "is incomplete: "
                + failures.entrySet().stream()
                        .map(e -> e.getKey() + " (" + reason(e.getValue()) + ")")
                        .collect(Collectors.joining(", "));
    }

    private static String reason(FerryException e) {
        String message =
                e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return e instanceof FerryTransportException ? message : e.code() + ": " + message;
    }
}
