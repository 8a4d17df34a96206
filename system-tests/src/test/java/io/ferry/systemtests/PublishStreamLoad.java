package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.PublishResult;
import io.ferry.proto.v1.RecordError;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A publisher on RecordService's PublishStream, as a client in any language would write one with only the
 * {@code .proto}: acks=all requests of {@link #RECORDS_PER_REQUEST} records with values no other send has, at
 * most {@link #IN_FLIGHT} unanswered on a stream; a stream that ends is replaced by a new one. Every record
 * answered with an offset goes into the {@link AckLedger}; every error seen (a record's, a request's or a
 * stream's end) is kept, for the test to check that each is typed and retriable.
 *
 * <p>Thread-safety: one sender thread writes to the stream; answers arrive on gRPC threads.
 */
final class PublishStreamLoad implements AutoCloseable {

    static final int RECORDS_PER_REQUEST = 10;
    static final int IN_FLIGHT = 8;

    /** One error the publisher saw, as a generic gRPC client sees it. */
    record SeenError(int grpcCode, String reason, boolean retriable, String message) {}

    private final ManagedChannel channel;
    private final String topic;
    private final AckLedger ledger;
    private final List<SeenError> errors = new ArrayList<>();
    private final Map<Long, PublishRequest> unanswered = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Thread sender;
    private volatile boolean stopping;

    /** @param address the broker published to, {@code host:port} */
    PublishStreamLoad(String address, String topic, AckLedger ledger) {
        this.channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        this.topic = topic;
        this.ledger = ledger;
        this.sender = new Thread(this::send, "publish-stream-load");
    }

    /**
     * Waits until the broker serves the topic (it may not have applied the topic's creation yet, and answer
     * UNKNOWN_TOPIC), with unary acks=all Publishes of one record each; the one that succeeds is acknowledged.
     */
    void awaitServed(Duration timeout) {
        await("broker serving Publish to " + topic)
                .atMost(timeout)
                .ignoreException(StatusRuntimeException.class)
                .until(() -> {
                    PublishRequest probe = request(0).toBuilder()
                            .clearRecords()
                            .addRecords(PublishRecord.newBuilder()
                                    .setPartition(0)
                                    .setValue(ByteString.copyFrom("publish-probe", StandardCharsets.UTF_8)))
                            .build();
                    PublishResult result = RecordServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(15, TimeUnit.SECONDS)
                            .publish(probe)
                            .getResults(0);
                    if (result.hasError()) {
                        return false;
                    }
                    ledger.acknowledged(result.getPartition(), result.getOffset(), "publish-probe");
                    return true;
                });
    }

    void start() {
        sender.start();
    }

    /** Stops sending and waits (bounded) for the sender, which waits for the answers of what it sent. */
    void stop() throws InterruptedException {
        stopping = true;
        sender.join(TimeUnit.SECONDS.toMillis(60));
    }

    synchronized List<SeenError> errors() {
        return List.copyOf(errors);
    }

    long requestsSent() {
        return nextId.get() - 1;
    }

    private void send() {
        while (!stopping) {
            Semaphore slots = new Semaphore(IN_FLIGHT);
            Stream stream = new Stream(slots);
            StreamObserver<PublishRequest> requests = RecordServiceGrpc.newStub(channel)
                    .withDeadlineAfter(5, TimeUnit.MINUTES)
                    .publishStream(stream);
            try {
                while (!stopping && !stream.ended) {
                    if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                    }
                    PublishRequest request = request(nextId.getAndIncrement());
                    unanswered.put(request.getRequestId(), request);
                    requests.onNext(request);
                }
                if (!stream.ended) {
                    // Stopping: every answer in, then close this stream.
                    slots.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS);
                    requests.onCompleted();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private PublishRequest request(long id) {
        PublishRequest.Builder request = PublishRequest.newBuilder()
                .setRequestId(id)
                .setTopic(topic)
                .setAcks(Acks.ACKS_ALL)
                .setTimeoutMs(10_000);
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
            request.addRecords(PublishRecord.newBuilder()
                    .setPartition(0)
                    .setValue(ByteString.copyFrom("publish-" + id + "-" + i, StandardCharsets.UTF_8)));
        }
        return request.build();
    }

    private synchronized void seen(RecordError error) {
        errors.add(
                new SeenError(error.getGrpcCode(), error.getCode().name(), error.getRetriable(), error.getMessage()));
    }

    private synchronized void seen(Throwable streamEnd) {
        Status status = Status.fromThrowable(streamEnd);
        com.google.rpc.Status details = StatusProto.fromThrowable(streamEnd);
        String reason = "(no ErrorInfo)";
        boolean retriable = false;
        if (details != null && details.getDetailsCount() > 0) {
            try {
                ErrorInfo info = details.getDetails(0).unpack(ErrorInfo.class);
                reason = info.getReason();
                retriable = Boolean.parseBoolean(info.getMetadataOrDefault("retriable", "false"));
            } catch (InvalidProtocolBufferException e) {
                reason = "(undecodable details)";
            }
        }
        errors.add(new SeenError(status.getCode().value(), reason, retriable, "stream ended: " + status));
    }

    /** The answers of one stream. */
    private final class Stream implements StreamObserver<PublishResponse> {
        private final Semaphore slots;
        volatile boolean ended;

        Stream(Semaphore slots) {
            this.slots = slots;
        }

        @Override
        public void onNext(PublishResponse response) {
            PublishRequest request = unanswered.remove(response.getRequestId());
            if (response.hasError()) {
                seen(response.getError());
            }
            for (int i = 0; i < response.getResultsCount(); i++) {
                PublishResult result = response.getResults(i);
                if (result.hasError()) {
                    seen(result.getError());
                } else {
                    ledger.acknowledged(
                            result.getPartition(),
                            result.getOffset(),
                            request.getRecords(i).getValue().toStringUtf8());
                }
            }
            slots.release();
        }

        @Override
        public void onError(Throwable t) {
            if (!stopping) {
                seen(t);
            }
            ended = true;
        }

        @Override
        public void onCompleted() {
            ended = true;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        sender.interrupt();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
