package io.ferry.config;

import java.util.Optional;

/**
 * A check on a parsed value beyond its type. Immutable and thread-safe.
 *
 * @param <T> the value type it checks
 */
public interface Validator<T> {

    /** @return what is wrong with {@code value} and what was expected, or empty when it is valid */
    Optional<String> problem(T value);

    /** The valid values, as the generated reference shows them (e.g. {@code [1, ...]}). */
    String describe();
}
