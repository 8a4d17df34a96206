package io.ferry.storage;

/**
 * A topic name, partition number or partition directory name that Ferry refuses. The message names
 * the offending value and the rule it breaks.
 *
 * <p>Unchecked because every caller either validated the input already (names coming from the
 * controller's metadata) or turns it into an INVALID_TOPIC error at the API edge.
 */
public final class InvalidTopicException extends RuntimeException {

    public InvalidTopicException(String message) {
        super(message);
    }
}
