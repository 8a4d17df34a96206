package io.ferry.replication;

/**
 * Request-wide fetch limits.
 *
 * @param maxWaitMs how long to wait for {@code minBytes}; 0 answers at once
 * @param minBytes  answer as soon as this many record bytes are available
 * @param maxBytes  bound on the answer's record bytes (the first batch is returned even if larger)
 */
public record FetchParams(long maxWaitMs, int minBytes, int maxBytes) {

    public FetchParams {
        maxWaitMs = Math.max(0, maxWaitMs);
        minBytes = Math.max(0, minBytes);
        maxBytes = maxBytes <= 0 ? Integer.MAX_VALUE : maxBytes;
    }
}
