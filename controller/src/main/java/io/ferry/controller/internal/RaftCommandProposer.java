package io.ferry.controller.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControllerCommand;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
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
 * active controller then reports as NOT_CONTROLLER. Thread-safe.
 */
public final class RaftCommandProposer implements CommandProposer {
  private final RaftServer server;
  private final RaftPeerId self;
  private final RaftGroupId group;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  public RaftCommandProposer(RaftServer server, RaftPeerId self, RaftGroupId group) {
    this.server = server;
    this.self = self;
    this.group = group;
  }

  @Override
  public CompletableFuture<CommandResult> propose(ControllerCommand command) {
    RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
        .setGroupId(group).setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
        .setType(RaftClientRequest.writeRequestType()).build();
    try {
      return server.submitClientRequestAsync(request).thenApply(RaftCommandProposer::result);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CommandResult result(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new CompletionException(reply.getException() != null ? reply.getException()
          : new IOException("Raft refused the command"));
    }
    try {
      return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }
}
