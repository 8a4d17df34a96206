package io.ferry.node.internal.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.node.RecordedFatalErrors;
import io.ferry.node.ThreadNiceValues;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Threads made for background work run at the nice value asked for; the others keep the node's. */
class ThreadNicenessTest {

    private final NodeThreads threads = new RecordedFatalErrors().threads();

    @Test
    void aNicedFactorysThreadsRunAtThatNiceValue() throws Exception {
        ThreadFactory niced = threads.numbered("niced", 10);
        assertEquals(List.of(10, 10), List.of(niceOfAThreadFrom(niced), niceOfAThreadFrom(niced)));
    }

    @Test
    void plainThreadsKeepTheNodesNiceValue() throws Exception {
        assertEquals(ThreadNiceValues.current(), niceOfAThreadFrom(threads.numbered("plain")));
    }

    private static int niceOfAThreadFrom(ThreadFactory factory) throws Exception {
        CompletableFuture<Integer> nice = new CompletableFuture<>();
        Thread thread = factory.newThread(() -> nice.complete(ThreadNiceValues.current()));
        thread.start();
        thread.join(10_000);
        return nice.get(10, TimeUnit.SECONDS);
    }
}
