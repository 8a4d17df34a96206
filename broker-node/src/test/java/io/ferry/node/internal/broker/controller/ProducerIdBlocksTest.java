package io.ferry.node.internal.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.controller.ProducerIdBlocks.Block;
import io.ferry.node.internal.broker.controller.ProducerIdBlocks.BlockRefusedException;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The broker's producer id blocks against a controller the test answers by hand. */
class ProducerIdBlocksTest {
    /** The blocks asked for, oldest first; the test completes them. */
    private final List<CompletableFuture<Block>> asked = new ArrayList<>();

    private final ProducerIdBlocks blocks = new ProducerIdBlocks(() -> {
        CompletableFuture<Block> block = new CompletableFuture<>();
        asked.add(block);
        return block;
    });

    private long take() throws Exception {
        CompletableFuture<Long> id = blocks.nextId();
        assertTrue(id.isDone(), "an id was at hand");
        return id.get();
    }

    @Test
    void theFirstCallsWaitForTheFirstBlockAndGetItsIdsInOrder() throws Exception {
        CompletableFuture<Long> first = blocks.nextId();
        CompletableFuture<Long> second = blocks.nextId();
        assertFalse(first.isDone());
        assertEquals(1, asked.size(), "one block is asked for, whoever waits");

        asked.get(0).complete(new Block(5_000, 10));
        assertEquals(5_000, first.get());
        assertEquals(5_001, second.get());
        assertEquals(5_002, take());
    }

    @Test
    void theNextBlockIsAskedForOnceNinetyPercentIsUsedAndTakesOverWithoutAWait() throws Exception {
        blocks.nextId();
        asked.get(0).complete(new Block(0, 10));
        for (long id = 1; id < 8; id++) {
            assertEquals(id, take());
        }
        assertEquals(1, asked.size(), "eight of ten handed out: not yet");
        assertEquals(8, take());
        assertEquals(2, asked.size(), "nine of ten handed out");
        assertEquals(9, take());
        assertEquals(2, asked.size(), "asked for once");

        asked.get(1).complete(new Block(1_000, 10));
        assertEquals(1_000, take());
        assertEquals(2, asked.size(), "the block just taken over is barely used");
    }

    @Test
    void moreWaitingCallsThanABlockHoldsAreServedFromTheBlocksAfterIt() throws Exception {
        List<CompletableFuture<Long>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(blocks.nextId());
        }
        asked.get(0).complete(new Block(0, 2));
        assertEquals(List.of(0L, 1L), List.of(calls.get(0).get(), calls.get(1).get()));
        assertFalse(calls.get(2).isDone());
        assertEquals(2, asked.size());
        asked.get(1).complete(new Block(100, 2));
        assertEquals(100, calls.get(2).get());
    }

    @Test
    void aRefusedBlockFailsTheWaitingCallsAndTheNextCallAsksAgain() throws Exception {
        CompletableFuture<Long> waiting = blocks.nextId();
        Error fenced = Error.newBuilder()
                .setCode(ErrorCode.BROKER_FENCED)
                .setMessage("broker 1 is fenced")
                .build();
        asked.get(0).completeExceptionally(new BlockRefusedException(fenced));
        ExecutionException failed = assertThrows(ExecutionException.class, waiting::get);
        assertSame(fenced, ((BlockRefusedException) failed.getCause()).error());
        assertEquals(1, asked.size(), "no retry of its own");

        CompletableFuture<Long> next = blocks.nextId();
        assertEquals(2, asked.size());
        asked.get(1).complete(new Block(0, 10));
        assertEquals(0, next.get());
    }
}
