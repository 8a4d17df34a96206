package io.ferry.node.internal.broker.controller;

import io.ferry.proto.v1.AllocateProducerIdsRequest;
import io.ferry.proto.v1.AllocateProducerIdsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The producer ids this broker hands out, as Kafka's {@code RPCProducerIdManager}: the block the controllers
 * gave it, and the next block, asked for once {@link #PREFETCH_PERCENT} of the current one is used, so an
 * InitProducerId seldom waits for a controller. A call that finds no id left waits, holding no thread, for the
 * block being fetched; when that fetch fails, every waiting call fails with why, and the next call asks again.
 *
 * <p>Thread-safe: the blocks and the waiting calls are guarded by this object; futures are completed outside
 * the lock.
 */
public final class ProducerIdBlocks {

    /** The share of a block handed out when the next one is asked for (Kafka's 90%). */
    static final int PREFETCH_PERCENT = 90;

    /** Ids [start, start + length) the controllers gave this broker. */
    record Block(long start, int length) {
        Block {
            if (start < 0 || length <= 0) {
                throw new IllegalArgumentException("not a block of producer ids: " + length + " from " + start);
            }
        }
    }

    /** Asks the controllers for the next block. */
    @FunctionalInterface
    interface Source {
        CompletableFuture<Block> nextBlock();
    }

    /** The controllers refused a block; {@link #error()} says why. */
    public static final class BlockRefusedException extends Exception {
        private final Error error;

        public BlockRefusedException(Error error) {
            super(error.getCode() + ": " + error.getMessage());
            this.error = error;
        }

        public Error error() {
            return error;
        }
    }

    private final Source source;
    private final ArrayDeque<CompletableFuture<Long>> waiting = new ArrayDeque<>();
    /** The current block: the next id to hand out, the end of the block, and where the next block is asked for. */
    private long next;

    private long end;
    private long prefetchAt;
    /** Fetched before the current block ran out; null when none. */
    private Block prefetched;

    /** A block is being asked for; one at a time. */
    private boolean fetching;

    ProducerIdBlocks(Source source) {
        this.source = source;
    }

    /** Blocks from the controllers, asked for on behalf of this broker's registration. */
    public static ProducerIdBlocks fromControllers(
            int brokerId, Supplier<String> incarnationId, ControllerGateway controllers, long timeoutMillis) {
        return new ProducerIdBlocks(() -> controllers
                .call(
                        "AllocateProducerIds",
                        (stub, answer) -> stub.allocateProducerIds(
                                AllocateProducerIdsRequest.newBuilder()
                                        .setBrokerId(brokerId)
                                        .setIncarnationId(incarnationId.get())
                                        .build(),
                                answer),
                        AllocateProducerIdsResponse::getError,
                        timeoutMillis)
                .thenCompose(r -> r.getError().getCode() == ErrorCode.NONE
                        ? CompletableFuture.completedFuture(new Block(r.getProducerIdStart(), r.getProducerIdLen()))
                        : CompletableFuture.failedFuture(new BlockRefusedException(r.getError()))));
    }

    /**
     * The next producer id, now when the current block has one, else once the next block arrives. Fails with
     * {@link BlockRefusedException}, {@link ControllerGateway.ControllerUnavailableException} or the
     * source's failure when no block could be had.
     */
    public CompletableFuture<Long> nextId() {
        CompletableFuture<Long> id = new CompletableFuture<>();
        boolean fetch;
        synchronized (this) {
            if (next == end && prefetched != null) {
                use(prefetched);
            }
            if (next < end) {
                id.complete(next++);
            } else {
                waiting.add(id);
            }
            fetch = shouldFetch();
        }
        if (fetch) {
            fetch();
        }
        return id;
    }

    /** Guarded by this: no fetch running or fetched ahead, and calls waiting or the block mostly used. */
    private boolean shouldFetch() {
        if (fetching || prefetched != null || (waiting.isEmpty() && next < prefetchAt)) {
            return false;
        }
        fetching = true;
        return true;
    }

    private void use(Block block) {
        next = block.start();
        end = block.start() + block.length();
        prefetchAt = block.start() + (long) block.length() * PREFETCH_PERCENT / 100;
        prefetched = null;
    }

    private void fetch() {
        CompletableFuture<Block> block;
        try {
            block = source.nextBlock();
        } catch (RuntimeException e) {
            block = CompletableFuture.failedFuture(e);
        }
        block.whenComplete(this::fetched);
    }

    private void fetched(Block block, Throwable failure) {
        Map<CompletableFuture<Long>, Long> served = new LinkedHashMap<>();
        List<CompletableFuture<Long>> failed = new ArrayList<>();
        boolean fetchAgain = false;
        synchronized (this) {
            fetching = false;
            if (failure != null) {
                // The next call asks again: retrying here would loop against controllers that are down.
                failed.addAll(waiting);
                waiting.clear();
            } else {
                prefetched = block;
                while (!waiting.isEmpty()) {
                    if (next == end && prefetched != null) {
                        use(prefetched);
                    }
                    if (next == end) {
                        break;
                    }
                    served.put(waiting.poll(), next++);
                }
                fetchAgain = shouldFetch();
            }
        }
        served.forEach(CompletableFuture::complete);
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        failed.forEach(f -> f.completeExceptionally(cause));
        if (fetchAgain) {
            fetch();
        }
    }
}
