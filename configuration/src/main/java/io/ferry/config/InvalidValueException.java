package io.ferry.config;

/**
 * A single value failed to parse or validate. Internal to the framework: {@link ConfigDef} turns it
 * into a {@link ConfigProblem} that names the key and source.
 */
final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param expected what a valid value looks like, e.g. "expected an integer" */
    InvalidValueException(String expected) {
        super(expected, null, false, false);
    }
}
