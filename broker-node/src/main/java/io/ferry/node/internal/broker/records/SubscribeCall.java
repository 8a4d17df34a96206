package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.SubscribeCommit;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The client's side of one Subscribe call: its first message must be a start, which is checked and starts the
 * {@link Subscription}; a group stream's later messages are commits, handed to its {@link StreamMember}; any
 * other message ends the call with INVALID_ARGUMENT. The stream's onReady and onCancel handlers drive and stop
 * the subscription.
 *
 * <p>Messages are read one at a time: the next only once the previous one's answer was handed to gRPC and the
 * stream can take more, so a client that commits without reading its answers is no longer read instead of making
 * the broker queue answers without bound. gRPC runs these callbacks one at a time; the fields they share with
 * other threads are volatile.
 */
final class SubscribeCall implements StreamObserver<SubscribeRequest> {

    /** A checked start: its subscription, and its group membership for a group stream. */
    /** @param partitionCount the topic's partitions now (0 once it is gone), read at each commit */
    record Started(Subscription subscription, Optional<StreamMember> member, IntSupplier partitionCount) {}

    /** Checks a start and builds its subscription. */
    interface Starter {
        Started start(SubscribeStart start, ServerCallStreamObserver<SubscribeResponse> observer)
                throws SubscribeRefusal;
    }

    private final ServerCallStreamObserver<SubscribeResponse> observer;
    private final Starter starter;
    /** Set once, on a gRPC thread, read by the handlers on others. */
    private volatile Started started;
    /** The next message is read once the stream is ready again. */
    private final AtomicBoolean readWhenReady = new AtomicBoolean();

    private volatile boolean ended;

    SubscribeCall(StreamObserver<SubscribeResponse> responses, Starter starter) {
        this.observer = (ServerCallStreamObserver<SubscribeResponse>) responses;
        this.starter = starter;
        observer.disableAutoRequest();
        observer.setOnReadyHandler(() -> {
            Started s = started;
            if (s != null) {
                s.subscription().pump();
            }
            if (readWhenReady.compareAndSet(true, false)) {
                observer.request(1);
            }
        });
        observer.setOnCancelHandler(this::stop);
        observer.request(1);
    }

    @Override
    public void onNext(SubscribeRequest request) {
        if (ended) {
            return;
        }
        Started s = started;
        if (s == null) {
            begin(request);
        } else if (request.hasCommit() && s.member().isPresent()) {
            commit(s, request.getCommit());
        } else if (request.hasCommit()) {
            refuse("a SubscribeCommit was sent on a stream without a group_id; commits need a group");
        } else {
            refuse("a Subscribe stream takes one SubscribeStart, its first message; another arrived");
        }
    }

    private void begin(SubscribeRequest request) {
        if (!request.hasStart()) {
            refuse("the first SubscribeRequest must be a start");
            return;
        }
        try {
            Started s = starter.start(request.getStart(), observer);
            started = s;
            if (ended) {
                s.subscription().cancel();
                return;
            }
            s.member().ifPresent(StreamMember::start);
            s.subscription().pump();
            observer.request(1);
        } catch (SubscribeRefusal refusal) {
            ended = true;
            observer.onError(RecordErrors.asException(refusal.error()));
        }
    }

    private void commit(Started s, SubscribeCommit commit) {
        int partitions = s.partitionCount().getAsInt();
        // Each entry is answered with its own result: more entries than partitions can only be repeats, and a
        // small request of many repeats would grow into a large answer.
        if (commit.getOffsetsCount() > partitions) {
            refuse("SubscribeCommit.offsets has " + commit.getOffsetsCount() + " entries; the topic has " + partitions
                    + " partitions and a commit takes at most one entry per partition");
            return;
        }
        s.member().get().commit(commit, p -> p >= 0 && p < partitions, result -> {
            s.subscription()
                    .send(SubscribeResponse.newBuilder().setCommit(result).build());
            readNext();
        });
    }

    /** Reads the next message now if the stream can take its answer, else once it is ready. */
    private void readNext() {
        if (ended) {
            return;
        }
        if (observer.isReady()) {
            observer.request(1);
        } else {
            readWhenReady.set(true);
            // Ready again in between: the handler may have run before the flag was set.
            if (observer.isReady() && readWhenReady.compareAndSet(true, false)) {
                observer.request(1);
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        stop();
    }

    @Override
    public void onCompleted() {
        // The client half-closed: the stream goes on until it cancels, as records.proto says, once started.
        if (started == null && !ended) {
            refuse("the stream ended before its start");
        }
    }

    private void refuse(String message) {
        ended = true;
        Started s = started;
        if (s != null && !s.subscription().cancel()) {
            return; // it ended the call already
        }
        observer.onError(RecordErrors.asException(RecordErrors.error(ErrorCode.INVALID_REQUEST, message, null)));
    }

    private void stop() {
        ended = true;
        Started s = started;
        if (s != null) {
            s.subscription().cancel();
        }
    }
}
