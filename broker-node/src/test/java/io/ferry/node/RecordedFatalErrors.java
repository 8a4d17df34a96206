package io.ferry.node;

import io.ferry.node.internal.threads.NodeThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A fatal-error handler for nodes in a test JVM: records each error and its thread's name instead of halting. */
public final class RecordedFatalErrors implements FatalErrorHandler {

    /** One error as the handler got it. */
    public record Recorded(String threadName, Error error) {}

    private final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onFatalError(Thread thread, Error error) {
        recorded.add(new Recorded(thread.getName(), error));
    }

    /** Every error so far, in order. */
    public List<Recorded> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** Threads whose Errors come here. */
    public NodeThreads threads() {
        return new NodeThreads(this::onFatalError);
    }
}
