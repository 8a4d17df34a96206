package io.ferry.controller.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.proto.v1.CommandBatchResult;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ControllerCommandBatch;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Proposes the active controller's commands to the local Raft server directly (no client hop):
 * the active controller only runs on the leader, and a follower refuses the request, which the
 * active controller then reports as NOT_CONTROLLER.
 *
 * <p>Group commit: at most {@link #MAX_IN_FLIGHT} log entries are being replicated at a time;
 * commands proposed meanwhile wait and go together in the next entry (up to {@link
 * #MAX_BATCH_BYTES}). An idle controller thus sends each command at once, and a busy one pays one
 * Raft round per batch instead of per command: Raft entries, not commands, are the scarce resource
 * (hundreds to a few thousand per second on a small machine).
 *
 * <p>Thread-safe: the queue and the in-flight count are guarded by {@code this}; entries are
 * submitted in proposal order.
 */
public final class RaftCommandProposer implements CommandProposer {
    static final int MAX_IN_FLIGHT = 2;
    /** Keeps one Raft entry well under Ratis's 4 MB log-appender buffer. */
    static final int MAX_BATCH_BYTES = 1 << 20;

    private record Pending(ControllerCommand command, CompletableFuture<CommandResult> result) {}

    private final RaftServer server;
    private final RaftPeerId self;
    private final RaftGroupId group;
    private final ClientId clientId = ClientId.randomId();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long callId;
    private int inFlight;

    public RaftCommandProposer(RaftServer server, RaftPeerId self, RaftGroupId group) {
        this.server = server;
        this.self = self;
        this.group = group;
    }

    @Override
    public CompletableFuture<CommandResult> propose(ControllerCommand command) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        synchronized (this) {
            queue.add(new Pending(command, result));
            if (inFlight < MAX_IN_FLIGHT) {
                sendNextBatch();
            }
        }
        return result;
    }

    /** Called holding the lock with a non-empty queue. */
    private void sendNextBatch() {
        List<Pending> batch = new ArrayList<>();
        ControllerCommandBatch.Builder entry = ControllerCommandBatch.newBuilder();
        int bytes = 0;
        while (!queue.isEmpty()
                && (batch.isEmpty() || bytes + queue.peek().command().getSerializedSize() <= MAX_BATCH_BYTES)) {
            Pending p = queue.poll();
            bytes += p.command().getSerializedSize();
            batch.add(p);
            entry.addCommands(p.command());
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(self)
                .setGroupId(group)
                .setCallId(++callId)
                .setMessage(Message.valueOf(ByteString.copyFrom(entry.build().toByteArray())))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        inFlight++;
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, e) -> {
            complete(batch, r, e);
            synchronized (this) {
                inFlight--;
                if (!queue.isEmpty()) {
                    sendNextBatch();
                }
            }
        });
    }

    private static void complete(List<Pending> batch, RaftClientReply reply, Throwable error) {
        if (error == null && !reply.isSuccess()) {
            error = reply.getException() != null ? reply.getException() : new IOException("Raft refused the command");
        }
        List<CommandResult> results = List.of();
        if (error == null) {
            try {
                results = CommandBatchResult.parseFrom(
                                reply.getMessage().getContent().toByteArray())
                        .getResultsList();
            } catch (InvalidProtocolBufferException e) {
                error = e;
            }
        }
        if (error == null && results.size() != batch.size()) {
            error = new IOException(
                    "the state machine answered " + results.size() + " results for " + batch.size() + " commands");
        }
        for (int i = 0; i < batch.size(); i++) {
            if (error != null) {
                batch.get(i).result().completeExceptionally(error);
            } else {
                batch.get(i).result().complete(results.get(i));
            }
        }
    }
}
