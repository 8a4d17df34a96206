package io.ferry.client;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigProblem;
import io.ferry.proto.v1.ErrorCode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A client configuration key is unknown, missing or has a malformed or invalid value. The message
 * names every problem on one line, each with its key; {@link #problems()} lists them.
 */
public final class FerryConfigException extends FerryException {

    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    public FerryConfigException(String message) {
        super(ErrorCode.INVALID_REQUEST, false, message, null);
        this.problems = List.of();
    }

    /** @param cause the configuration framework's rejection, with every problem it found */
    public FerryConfigException(ConfigException cause) {
        super(
                ErrorCode.INVALID_REQUEST,
                false,
                cause.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")),
                cause);
        this.problems = cause.problems();
    }

    /** Each problem: the key, where it was set and what was expected; empty when made from a message alone. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
