package io.ferry.group;

import java.util.List;
import java.util.Objects;

/**
 * What an operation of {@link CoordinatorShard} wants written, and the answer to send once those records are
 * committed. The operation changed nothing: the runtime appends {@code records}, replays each into the shard
 * ({@link CoordinatorShard#replay}), then sends {@code response}. With no records it answers at once.
 */
public record Write<T>(List<GroupRecord> records, T response) {

    public Write {
        records = List.copyOf(records);
        Objects.requireNonNull(response, "response");
    }

    /** An answer that needs nothing written. */
    public static <T> Write<T> answer(T response) {
        return new Write<>(List.of(), response);
    }
}
