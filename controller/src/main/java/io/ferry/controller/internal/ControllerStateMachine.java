package io.ferry.controller.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.CommandBatchResult;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ControllerCommandBatch;
import io.ferry.proto.v1.ControllerSnapshot;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The Ratis state machine of the controller quorum. Committed {@link ControllerCommandBatch}es are
 * applied command by command to the {@link MetadataState} (the only place metadata changes); snapshots hold its
 * {@link ControllerSnapshot} (the metadata image and the requests remembered by idempotency key). Read-only queries carry {@link ActiveControllerRequest}s forwarded by
 * other controller nodes: Ratis routes them to the leader, where the active controller answers.
 *
 * <p>A new instance is needed for every server start (Ratis drives its life cycle).
 */
public final class ControllerStateMachine extends BaseStateMachine {
    /** Leadership callbacks; invoked on Ratis threads, so implementations must hand work off. */
    public interface LeadershipListener {
        /** This node became leader and applied the first entry of its term. */
        void leaderReady();

        /** This node stepped down or is closing. */
        void notLeader();
    }

    private final MetadataState state;
    private final LeadershipListener listener;
    private final Runnable applied;
    private final Thread.UncaughtExceptionHandler fatalErrors;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private volatile Function<ActiveControllerRequest, CompletableFuture<ActiveControllerResponse>> active;

    /**
     * @param applied     told after each Raft entry or snapshot is applied to {@code state}, on Ratis's thread;
     *     must not block
     * @param fatalErrors gets an {@link Error} thrown while applying a command: Ratis would only log it and close
     *     its server, leaving a node that runs without a controller
     */
    public ControllerStateMachine(
            MetadataState state,
            LeadershipListener listener,
            Runnable applied,
            Thread.UncaughtExceptionHandler fatalErrors) {
        this.state = state;
        this.listener = listener;
        this.applied = applied;
        this.fatalErrors = fatalErrors;
    }

    /** Where forwarded requests go while this node is the active controller; null when it is not. */
    public void setActiveHandler(Function<ActiveControllerRequest, CompletableFuture<ActiveControllerResponse>> h) {
        this.active = h;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storage.init(raftStorage);
            loadSnapshot(storage.getLatestSnapshot());
        });
    }

    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** Called after a snapshot was installed from the leader. */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        CommandBatchResult.Builder results = CommandBatchResult.newBuilder();
        synchronized (this) {
            try {
                ControllerCommandBatch batch = ControllerCommandBatch.parseFrom(
                        entry.getStateMachineLogEntry().getLogData().toByteArray());
                for (ControllerCommand command : batch.getCommandsList()) {
                    results.addResults(state.apply(command, entry.getTerm()));
                }
            } catch (InvalidProtocolBufferException e) {
                // Cannot happen with entries this code wrote; applying nothing keeps every replica equal.
                results.clear();
            } catch (Error e) {
                fatalErrors.uncaughtException(Thread.currentThread(), e);
                throw e;
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        applied.run();
        return CompletableFuture.completedFuture(
                Message.valueOf(ByteString.copyFrom(results.build().toByteArray())));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ActiveControllerRequest req;
        try {
            req = ActiveControllerRequest.parseFrom(request.getContent().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(e);
        }
        var handler = active;
        CompletableFuture<ActiveControllerResponse> response = handler == null
                ? CompletableFuture.completedFuture(ActiveControllerResponse.newBuilder()
                        .setError(Errors.of(
                                ErrorCode.NOT_CONTROLLER, "the Raft leader has not started its active controller yet"))
                        .build())
                : handler.apply(req);
        return response.thenApply(r -> Message.valueOf(ByteString.copyFrom(r.toByteArray())));
    }

    @Override
    public void notifyLeaderReady() {
        listener.leaderReady();
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        listener.notLeader();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        if (!groupMemberId.getPeerId().equals(newLeaderId)) {
            listener.notLeader();
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        ControllerSnapshot snapshot;
        TermIndex applied;
        synchronized (this) {
            snapshot = state.snapshot();
            applied = getLastAppliedTermIndex();
        }
        if (applied == null || applied.getIndex() < 0) {
            return -1;
        }
        Path file =
                storage.getSnapshotFile(applied.getTerm(), applied.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            snapshot.writeTo(out);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file.toFile());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, md5), applied));
        return applied.getIndex();
    }

    /**
     * A snapshot file's content. One written before the requests remembered by idempotency key were
     * snapshotted is a bare {@link MetadataImage}, which reads as a {@link ControllerSnapshot} without an image
     * (their field numbers differ) and is read again as the image it is, with nothing remembered.
     */
    static ControllerSnapshot readSnapshot(byte[] file) throws InvalidProtocolBufferException {
        ControllerSnapshot snapshot = ControllerSnapshot.parseFrom(file);
        return snapshot.hasImage()
                ? snapshot
                : ControllerSnapshot.newBuilder()
                        .setImage(MetadataImage.parseFrom(file))
                        .build();
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null || !Files.exists(snapshot.getFile().getPath())) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
        }
        TermIndex termIndex = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file.toFile());
        ControllerSnapshot saved = readSnapshot(Files.readAllBytes(file));
        synchronized (this) {
            state.load(saved);
            setLastAppliedTermIndex(termIndex);
        }
        applied.run();
    }
}
