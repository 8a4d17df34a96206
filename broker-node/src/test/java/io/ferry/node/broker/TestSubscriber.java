package io.ferry.node.broker;

import io.ferry.proto.v1.CommitOffset;
import io.ferry.proto.v1.CommitResult;
import io.ferry.proto.v1.ConsumedRecord;
import io.ferry.proto.v1.GroupAssignment;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.SubscribeCommit;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A Subscribe stream opened from a test: collects the records it delivers and how it ended. With
 * {@code autoRequest} false it requests nothing (a subscriber that never reads).
 */
public final class TestSubscriber implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {

    private final List<ConsumedRecord> records = new ArrayList<>();
    private final List<GroupAssignment> assignments = new ArrayList<>();
    private final List<CommitResult> commits = new ArrayList<>();
    private final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final boolean autoRequest;
    private volatile ClientCallStreamObserver<SubscribeRequest> call;

    private TestSubscriber(boolean autoRequest) {
        this.autoRequest = autoRequest;
    }

    /** Opens a stream on {@code channel} and sends {@code start} as its first message. */
    public static TestSubscriber open(Channel channel, SubscribeStart start, boolean autoRequest) {
        return openWith(channel, SubscribeRequest.newBuilder().setStart(start).build(), autoRequest);
    }

    /** Opens a stream on {@code channel} and sends {@code first}, whatever it holds. */
    public static TestSubscriber openWith(Channel channel, SubscribeRequest first, boolean autoRequest) {
        TestSubscriber subscriber = new TestSubscriber(autoRequest);
        RecordServiceGrpc.newStub(channel).subscribe(subscriber).onNext(first);
        return subscriber;
    }

    public static TestSubscriber open(Channel channel, SubscribeStart start) {
        return open(channel, start, true);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requests) {
        call = requests;
        if (!autoRequest) {
            requests.disableAutoRequestWithInitial(0);
        }
    }

    /** Sends one more request on the stream. */
    public void send(SubscribeRequest request) {
        call.onNext(request);
    }

    public void cancel() {
        call.cancel("the test is done", null);
    }

    @Override
    public synchronized void onNext(SubscribeResponse response) {
        records.addAll(response.getRecordsList());
        if (response.hasAssignment()) {
            assignments.add(response.getAssignment());
        }
        if (response.hasCommit()) {
            commits.add(response.getCommit());
        }
    }

    /** A group stream's assignments so far, in order. */
    public synchronized List<GroupAssignment> assignments() {
        return List.copyOf(assignments);
    }

    /** The partitions of the latest assignment; empty before the first. */
    public synchronized List<Integer> assigned() {
        return assignments.isEmpty()
                ? List.of()
                : assignments.get(assignments.size() - 1).getPartitionsList();
    }

    /** The answers to this stream's commits so far, in order. */
    public synchronized List<CommitResult> commits() {
        return List.copyOf(commits);
    }

    /** Sends a commit of {@code offsets} (partition → next offset) with {@code commitId}. */
    public void commit(long commitId, Map<Integer, Long> offsets) {
        SubscribeCommit.Builder commit = SubscribeCommit.newBuilder().setCommitId(commitId);
        offsets.forEach((p, o) ->
                commit.addOffsets(CommitOffset.newBuilder().setPartition(p).setOffset(o)));
        commit(commit.build());
    }

    /** Sends {@code commit} as it is (repeats and all). */
    public void commit(SubscribeCommit commit) {
        send(SubscribeRequest.newBuilder().setCommit(commit).build());
    }

    @Override
    public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        ended.complete(Status.OK);
    }

    /** The records delivered so far, in delivery order. */
    public synchronized List<ConsumedRecord> records() {
        return List.copyOf(records);
    }

    /** "partition:offset:value" of each record delivered so far. */
    public synchronized List<String> delivered() {
        return records.stream()
                .map(r -> r.getPartition() + ":" + r.getOffset() + ":"
                        + r.getValue().toString(StandardCharsets.UTF_8))
                .toList();
    }

    /** Completes with the status the stream ended with. */
    public CompletableFuture<Status> ended() {
        return ended;
    }
}
