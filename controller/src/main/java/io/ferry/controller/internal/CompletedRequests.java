package io.ferry.controller.internal;

import io.ferry.proto.v1.CompletedRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The requests committed under an idempotency key that the controllers remember, with their answers, so
 * that a retry of one is answered as it was, by whichever controller is active then. Part of the
 * replicated state: changed only by applying a command and by loading a snapshot, so every controller holds
 * the same table. Bounded by the active controller's decision that comes with each keyed command: entries
 * completed before a time are forgotten, then the oldest beyond a count.
 *
 * <p>Not thread-safe: {@link MetadataState} guards it.
 */
final class CompletedRequests {

    /** By key, in the order they were applied (oldest first). */
    private final LinkedHashMap<String, CompletedRequest> byKey = new LinkedHashMap<>();

    Optional<CompletedRequest> find(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /**
     * Remembers {@code completed}, then forgets every entry completed before {@code forgetBeforeMs} and the
     * oldest beyond {@code rememberAtMost}.
     */
    void remember(CompletedRequest completed, long forgetBeforeMs, int rememberAtMost) {
        byKey.put(completed.getIdempotencyKey(), completed);
        byKey.values().removeIf(c -> c.getCompletedAtMs() < forgetBeforeMs);
        var oldestFirst = byKey.keySet().iterator();
        while (byKey.size() > Math.max(0, rememberAtMost)) {
            oldestFirst.next();
            oldestFirst.remove();
        }
    }

    /** Oldest first, as a snapshot holds them. */
    List<CompletedRequest> all() {
        return List.copyOf(byKey.values());
    }

    /** Replaces the table with a snapshot's. */
    void load(List<CompletedRequest> completed) {
        byKey.clear();
        completed.forEach(c -> byKey.put(c.getIdempotencyKey(), c));
    }
}
