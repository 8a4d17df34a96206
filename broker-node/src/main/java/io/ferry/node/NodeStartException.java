package io.ferry.node;

/** A node could not start: a port could not be bound or a role failed to start. */
public final class NodeStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public NodeStartException(String message, Throwable cause) {
        super(message + ": " + cause, cause);
    }
}
