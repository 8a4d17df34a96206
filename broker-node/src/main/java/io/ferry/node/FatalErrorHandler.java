package io.ferry.node;

/**
 * What a node does when one of its threads meets an {@link Error} ({@code OutOfMemoryError},
 * {@code StackOverflowError}, a {@code LinkageError}, ...). Such a thread may have died or left state it
 * shared half-changed, so the node must not go on serving: in a process it halts, and its supervisor
 * restarts it while the controllers fence it. An in-process test cluster, which runs several nodes in
 * one JVM, passes a handler that records the error instead.
 *
 * <p>Called on the thread that met the error, possibly on several threads at once; implementations
 * must be thread-safe and must not throw.
 */
@FunctionalInterface
public interface FatalErrorHandler {

    /**
     * @param thread the thread the error was thrown on
     * @param error  the error, already out of the code that threw it
     */
    void onFatalError(Thread thread, Error error);
}
