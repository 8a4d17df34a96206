package io.ferry.controller.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Held FetchMetadata calls: answered once, by a newer version, by their wait running out, or at once. */
class MetadataLongPollsTest {

    private static final long LONG_WAIT_MS = 60_000;

    private final AtomicLong version = new AtomicLong(5);
    private final MetadataLongPolls polls =
            new MetadataLongPolls(version::get, Executors.newSingleThreadScheduledExecutor());

    @AfterEach
    void close() {
        polls.close();
    }

    @Test
    void aHeldCallIsAnsweredOnceWhenANewerVersionIsApplied() {
        AtomicInteger answers = new AtomicInteger();
        polls.answerWhenNewer(5, LONG_WAIT_MS, answers::incrementAndGet);
        polls.versionApplied(); // nothing newer yet
        assertEquals(1, polls.heldCount());

        version.set(6);
        polls.versionApplied();
        polls.versionApplied();
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() == 1);
        assertEquals(0, polls.heldCount());
        assertEquals(1, answers.get());
    }

    @Test
    void aHeldCallIsAnsweredWhenItsWaitRunsOut() throws InterruptedException {
        CountDownLatch answered = new CountDownLatch(1);
        polls.answerWhenNewer(5, 50, answered::countDown);
        assertTrue(answered.await(10, TimeUnit.SECONDS));
        assertEquals(0, polls.heldCount());
    }

    @Test
    void aCallIsAnsweredAtOnceWhenNotToWaitOrAlreadyBehind() {
        AtomicInteger answers = new AtomicInteger();
        polls.answerWhenNewer(5, 0, answers::incrementAndGet);
        polls.answerWhenNewer(4, LONG_WAIT_MS, answers::incrementAndGet);
        assertEquals(2, answers.get(), "answered on the caller's thread");
        assertEquals(0, polls.heldCount());
    }

    @Test
    void beyondTheLimitCallsAreAnsweredAtOnceAndAHeldCallThatFailsCostsTheOthersNothing() {
        AtomicInteger answers = new AtomicInteger();
        polls.answerWhenNewer(5, LONG_WAIT_MS, () -> {
            throw new IllegalStateException("the caller went away");
        });
        for (int i = 1; i < MetadataLongPolls.MAX_HELD; i++) {
            polls.answerWhenNewer(5, LONG_WAIT_MS, answers::incrementAndGet);
        }
        assertEquals(MetadataLongPolls.MAX_HELD, polls.heldCount());
        polls.answerWhenNewer(5, LONG_WAIT_MS, answers::incrementAndGet);
        assertEquals(1, answers.get(), "the call beyond the limit is answered without waiting");

        version.set(6);
        polls.versionApplied();
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() == MetadataLongPolls.MAX_HELD);
    }

    @Test
    void closingAnswersEveryHeldCall() {
        AtomicInteger answers = new AtomicInteger();
        polls.answerWhenNewer(5, LONG_WAIT_MS, answers::incrementAndGet);
        polls.close();
        assertEquals(1, answers.get());
        polls.answerWhenNewer(5, LONG_WAIT_MS, answers::incrementAndGet);
        assertEquals(2, answers.get(), "after close, answered at once");
        assertFalse(polls.heldCount() > 0);
    }
}
