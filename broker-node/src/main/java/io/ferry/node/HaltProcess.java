package io.ferry.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fatal-error policy of a node process: log the error, then {@link Runtime#halt} with
 * {@link NodeCommand#EXIT_FATAL_ERROR}. Halt rather than exit, because exit runs the shutdown hook,
 * whose graceful stop (controlled shutdown, closing every role) needs threads and memory the error
 * may have taken: a hook that wedged would keep the half-working process alive. Without that stop the
 * controllers fence the broker after {@code broker.session.timeout.ms} and the next start recovers
 * its logs, as after {@code kill -9}.
 */
final class HaltProcess implements FatalErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(HaltProcess.class);

    @Override
    public void onFatalError(Thread thread, Error error) {
        try {
            log.error(
                    "Fatal error on thread {}; halting the node with exit status {}",
                    thread.getName(),
                    NodeCommand.EXIT_FATAL_ERROR,
                    error);
        } catch (Throwable loggingFailed) {
            // Out of memory even for the message: halt all the same, which is what the operator needs most.
        } finally {
            Runtime.getRuntime().halt(NodeCommand.EXIT_FATAL_ERROR);
        }
    }
}
