package io.ferry.controller.internal;

import com.google.protobuf.Message;
import io.ferry.controller.ControllerConfig;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.ClusterIdRecord;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.CompletedRequest;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionIsrChange;
import io.ferry.proto.v1.PartitionIsrResult;
import io.ferry.proto.v1.PartitionRecord;
import io.micrometer.core.instrument.Counter;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller: runs only on the Raft leader, for one term. Its two halves share one event
 * thread, as Kafka's {@code QuorumController} shares its own between {@code ClusterControlManager} and
 * {@code ReplicationControlManager}: {@link ClusterControl} keeps broker liveness (registration, heartbeats,
 * session expiry, fencing, controlled shutdown) and {@link ReplicationControl} decides topics and partitions
 * (creation, deletion, configs, placement, ISR changes, preferred leaders); {@link ProducerIdControl} hands
 * brokers blocks of producer ids, {@link AclControl} decides ACL changes and {@link ClientQuotaControl} client quota changes. All decide from the committed
 * {@link MetadataState}; this class proposes what they decided and answers once it is applied. It never
 * mutates metadata itself. Decisions that race with a concurrent change are refused when applied
 * (partition epochs are compare-and-set), and the next tick decides again.
 *
 * <p>Idempotency keys: a request that carries one is looked up before anything is decided. Committed
 * under that key already (remembered in the replicated {@link MetadataState}, so also when another
 * controller committed it before a failover): answered as it was then. Decided here and not applied yet:
 * answered when that attempt is. Otherwise it is decided, and the command that commits it also makes every
 * controller remember the request and its answer, and forget what this controller's clock says is older
 * than {@link ControllerConfig#idempotencyKeyRetentionMs()} or beyond
 * {@link ControllerConfig#idempotencyKeyMaxCount()}. The key of another request is refused
 * (IDEMPOTENCY_KEY_REUSED).
 *
 * <p>Threading: one event thread owns all mutable state of both halves; public methods only enqueue work on
 * it, and every continuation after a commit runs on it too. Times are wall-clock milliseconds from the
 * injected clock, so session expiry is testable without sleeping.
 */
public final class ActiveController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveController.class);

    /** Longest idempotency key accepted: a UUID fits with room to spare, and every controller holds them. */
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;

    /** Longest period of the broker liveness check (session expiry and probes). */
    static final long LIVENESS_CHECK_MAX_MS = 100;

    private final long term;
    private final MetadataState state;
    private final CommandProposer proposer;
    private final InstantSource clock;
    private final ControllerConfig config;
    private final Counter leaderElections;
    private final Thread.UncaughtExceptionHandler fatalErrors;
    private final ListenerProbe probe;
    private final ScheduledExecutorService events;
    // Owned by the event thread.
    private final ClusterControl cluster;
    private final ReplicationControl replication;
    private final ProducerIdControl producerIds;
    private final AclControl acls;
    private final ScramControl scram;
    private final ClientQuotaControl clientQuotas;
    /** Keyed requests decided here whose command is not applied yet, by key. */
    private final Map<String, InFlight> inFlight = new HashMap<>();

    private boolean closed;
    /** Whether this controller proposed anything since the last idle check; owned by the event thread. */
    private volatile boolean proposedSinceIdleCheck;

    /** A keyed request on its way to being committed, and its answer once it is. */
    private record InFlight(ActiveControllerRequest request, CompletableFuture<ActiveControllerResponse> answer) {}

    /**
     * Starts the controller for Raft term {@code term}. Every broker registered so far gets a full
     * session timeout from now before it can be fenced: heartbeats sent to the previous active
     * controller are not known here.
     *
     * @param probe asks whether a broker whose heartbeat is late is gone (see {@link ClusterControl})
     * @param fatalErrors gets an {@link java.lang.Error} thrown on the event thread (the controller cannot go on
     *     deciding after one); other failures are answered or logged
     */
    public static ActiveController start(
            long term,
            MetadataState state,
            CommandProposer proposer,
            InstantSource clock,
            ControllerConfig config,
            Counter leaderElections,
            ListenerProbe probe,
            Thread.UncaughtExceptionHandler fatalErrors) {
        ActiveController c =
                new ActiveController(term, state, proposer, clock, config, leaderElections, probe, fatalErrors);
        long activatedMs = clock.millis();
        c.events.execute(() -> c.cluster.grantGracePeriod(activatedMs));
        c.events.execute(() -> c.periodic("cluster id", c::chooseClusterId));
        // Often: each check only walks the broker table, and its period adds to every failover.
        long checkMs = Math.max(10, Math.min(config.brokerSessionTimeoutMs() / 4, LIVENESS_CHECK_MAX_MS));
        c.events.scheduleWithFixedDelay(
                () -> c.periodic("broker liveness", c::checkLiveness), 0, checkMs, TimeUnit.MILLISECONDS);
        if (config.metadataMaxIdleIntervalMs() > 0) {
            long idleMs = config.metadataMaxIdleIntervalMs();
            c.events.scheduleWithFixedDelay(
                    () -> c.periodic("idle entry", c::appendIfIdle), idleMs, idleMs, TimeUnit.MILLISECONDS);
        }
        if (config.autoLeaderRebalanceEnable()) {
            long every = config.leaderImbalanceCheckIntervalMs();
            c.events.scheduleWithFixedDelay(
                    () -> c.periodic("leader rebalance", c::rebalanceLeaders), every, every, TimeUnit.MILLISECONDS);
        }
        return c;
    }

    /**
     * A periodic task that throws is never run again: log and carry on instead. An Error would end it
     * silently inside its future, so it goes to the fatal-error handler first.
     */
    private void periodic(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("The active controller's {} check failed; it runs again at the next tick", what, e);
        } catch (java.lang.Error e) {
            fatalErrors.uncaughtException(Thread.currentThread(), e);
            throw e;
        }
    }

    private ActiveController(
            long term,
            MetadataState state,
            CommandProposer proposer,
            InstantSource clock,
            ControllerConfig config,
            Counter leaderElections,
            ListenerProbe probe,
            Thread.UncaughtExceptionHandler fatalErrors) {
        this.term = term;
        this.state = state;
        this.proposer = proposer;
        this.clock = clock;
        this.config = config;
        this.leaderElections = leaderElections;
        this.fatalErrors = fatalErrors;
        this.probe = probe;
        this.events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-active-controller-" + config.nodeId() + "-term-" + term);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(fatalErrors);
            return t;
        });
        LeadershipDecisions decisions = new LeadershipDecisions(state, config.uncleanLeaderElectionEnable());
        this.cluster = new ClusterControl(
                state,
                config.brokerSessionTimeoutMs(),
                config.brokerLivenessProbeAfterMs(),
                clock,
                decisions,
                records -> propose(bulk(records)));
        this.replication = new ReplicationControl(state, cluster, decisions);
        this.producerIds = new ProducerIdControl(
                state, record -> propose(ControllerCommand.newBuilder().setProducerIds(record)));
        this.acls = new AclControl(state);
        this.scram = new ScramControl(state);
        this.clientQuotas = new ClientQuotaControl(state);
    }

    /** Handles a request only the active controller may decide. Never completes exceptionally. */
    public CompletableFuture<ActiveControllerResponse> handle(ActiveControllerRequest request) {
        return onEventThread(() -> {
                    if (closed) {
                        return CompletableFuture.completedFuture(notActive());
                    }
                    return request.getIdempotencyKey().isEmpty() ? decide(request) : keyed(request);
                })
                .exceptionally(this::failed);
    }

    /** A request with an idempotency key: answered as its committed or pending attempt, else decided. */
    private CompletableFuture<ActiveControllerResponse> keyed(ActiveControllerRequest request) {
        String key = request.getIdempotencyKey();
        if (key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            return CompletableFuture.completedFuture(error(
                    ErrorCode.INVALID_REQUEST,
                    "idempotency key is " + key.length() + " characters long; at most " + MAX_IDEMPOTENCY_KEY_LENGTH
                            + " are allowed"));
        }
        ActiveControllerRequest asked =
                request.toBuilder().clearIdempotencyKey().build();
        Optional<CompletedRequest> done = state.completedRequest(key);
        if (done.isPresent()) {
            return CompletableFuture.completedFuture(
                    done.get().getRequest().equals(asked)
                            ? done.get().getResponse()
                            : reused(key, done.get().getRequest()));
        }
        InFlight pending = inFlight.get(key);
        if (pending != null) {
            return pending.request().equals(asked)
                    ? pending.answer()
                    : CompletableFuture.completedFuture(reused(key, pending.request()));
        }
        CompletableFuture<ActiveControllerResponse> answer = decide(request);
        if (!answer.isDone()) {
            inFlight.put(key, new InFlight(asked, answer));
            answer.whenCompleteAsync((r, e) -> inFlight.remove(key), events);
        }
        return answer;
    }

    private static ActiveControllerResponse reused(String key, ActiveControllerRequest earlier) {
        return error(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "idempotency key '" + key + "' was used for another request (" + earlier.getRequestCase()
                        + " differing from this one); use a new key for each call");
    }

    private CompletableFuture<ActiveControllerResponse> decide(ActiveControllerRequest request) {
        ActiveControllerResponse.Builder response = ActiveControllerResponse.newBuilder();
        return switch (request.getRequestCase()) {
            case REGISTER_BROKER ->
                answerLater(cluster.register(request.getRegisterBroker()), response::setRegisterBroker);
            case BROKER_HEARTBEAT -> answerLater(heartbeat(request.getBrokerHeartbeat()), response::setBrokerHeartbeat);
            case CONTROLLED_SHUTDOWN ->
                answerLater(
                        cluster.controlledShutdown(request.getControlledShutdown()), response::setControlledShutdown);
            case CREATE_TOPIC ->
                commit(request, replication.createTopic(request.getCreateTopic()), response::setCreateTopic);
            case DELETE_TOPIC ->
                commit(request, replication.deleteTopic(request.getDeleteTopic()), response::setDeleteTopic);
            case ALTER_TOPIC_CONFIGS ->
                commit(
                        request,
                        replication.alterTopicConfigs(request.getAlterTopicConfigs()),
                        response::setAlterTopicConfigs);
            case CREATE_PARTITIONS ->
                commit(
                        request,
                        replication.createPartitions(request.getCreatePartitions()),
                        response::setCreatePartitions);
            case ALTER_PARTITION ->
                answerLater(alterPartitions(request.getAlterPartition()), response::setAlterPartition);
            case ALLOCATE_PRODUCER_IDS ->
                answerLater(producerIds.allocate(request.getAllocateProducerIds()), response::setAllocateProducerIds);
            case CREATE_ACLS -> commit(request, acls.createAcls(request.getCreateAcls()), response::setCreateAcls);
            case DELETE_ACLS -> commit(request, acls.deleteAcls(request.getDeleteAcls()), response::setDeleteAcls);
            case DESCRIBE_ACLS -> answerNow(acls.describeAcls(request.getDescribeAcls()), response::setDescribeAcls);
            // Never remembered under an idempotency key: the remembered request would keep the salted
            // passwords in every controller's log and snapshots.
            case ALTER_USER_SCRAM_CREDENTIALS ->
                commit(
                        request.toBuilder().clearIdempotencyKey().build(),
                        scram.alterCredentials(request.getAlterUserScramCredentials()),
                        response::setAlterUserScramCredentials);
            case ALTER_CLIENT_QUOTAS ->
                commit(
                        request,
                        clientQuotas.alterClientQuotas(request.getAlterClientQuotas()),
                        response::setAlterClientQuotas);
            case DESCRIBE_CLIENT_QUOTAS ->
                answerNow(
                        clientQuotas.describeClientQuotas(request.getDescribeClientQuotas()),
                        response::setDescribeClientQuotas);
            case DESCRIBE_TOPICS ->
                answerNow(replication.describeTopics(request.getDescribeTopics()), response::setDescribeTopics);
            default ->
                CompletableFuture.completedFuture(
                        error(ErrorCode.INVALID_REQUEST, "empty or unknown controller request"));
        };
    }

    /**
     * A broker's batch of ISR changes, each decided and committed as a command of its own, so a stale one
     * refuses only itself (group commit still puts them in one Raft entry). When a command could not be
     * committed (this controller's term ended), the whole answer is NOT_CONTROLLER and the broker sends the
     * batch again to the next controller: a change that did commit is then refused as stale, and the metadata
     * the broker receives settles it.
     */
    private CompletableFuture<AlterPartitionResponse> alterPartitions(AlterPartitionRequest req) {
        Error refused = replication.checkIsrChanges(req);
        if (!Errors.isOk(refused)) {
            return CompletableFuture.completedFuture(
                    AlterPartitionResponse.newBuilder().setError(refused).build());
        }
        List<CompletableFuture<PartitionIsrResult>> results = new ArrayList<>(req.getChangesCount());
        for (PartitionIsrChange change : req.getChangesList()) {
            ControllerResult<PartitionIsrResult> decided = replication.alterPartition(req.getBrokerId(), change);
            results.add(
                    decided.records().isEmpty()
                            ? CompletableFuture.completedFuture(decided.response())
                            : propose(ControllerCommand.newBuilder().addAllRecords(decided.records()))
                                    .thenApply(r -> Errors.isOk(r.getError())
                                            ? decided.response()
                                            : PartitionIsrResult.newBuilder()
                                                    .setError(r.getError())
                                                    .build()));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(allDone -> {
                    AlterPartitionResponse.Builder answer =
                            AlterPartitionResponse.newBuilder().setError(Errors.NONE);
                    for (CompletableFuture<PartitionIsrResult> result : results) {
                        PartitionIsrResult r = result.join();
                        if (r.getError().getCode() == ErrorCode.NOT_CONTROLLER) {
                            return AlterPartitionResponse.newBuilder()
                                    .setError(r.getError())
                                    .build();
                        }
                        answer.addPartitions(r);
                    }
                    return answer.build();
                });
    }

    /** Answers what needed no decision, such as a description of the committed state, wrapped. */
    private static <T> CompletableFuture<ActiveControllerResponse> answerNow(
            T response, Function<T, ActiveControllerResponse.Builder> wrap) {
        return CompletableFuture.completedFuture(wrap.apply(response).build());
    }

    /** Answers, wrapped, a decision its control commits itself, once that is done. */
    private static <T> CompletableFuture<ActiveControllerResponse> answerLater(
            CompletableFuture<T> decided, Function<T, ActiveControllerResponse.Builder> wrap) {
        return decided.thenApply(r -> wrap.apply(r).build());
    }

    /**
     * Closed underneath the request: NOT_CONTROLLER (the caller retries); an Error goes to the fatal-error
     * handler; anything else is a bug.
     */
    private ActiveControllerResponse failed(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RejectedExecutionException) {
            return notActive();
        }
        if (cause instanceof java.lang.Error error) {
            fatalErrors.uncaughtException(Thread.currentThread(), error);
        }
        LOG.error("The active controller failed to handle a request", cause);
        return error(ErrorCode.UNKNOWN_SERVER_ERROR, "the active controller failed: " + cause);
    }

    /** Fences every broker whose session expired now; completes when that command is applied. */
    public CompletableFuture<Void> expireSessionsNow() {
        return onEventThread(this::expireSessions);
    }

    /** Runs one preferred-leader rebalance now; completes when its command is applied. */
    public CompletableFuture<Void> rebalanceLeadersNow() {
        return onEventThread(this::rebalanceLeaders);
    }

    private static ActiveControllerResponse notActive() {
        return error(ErrorCode.NOT_CONTROLLER, "this node is not the active controller");
    }

    private static ActiveControllerResponse error(ErrorCode code, String message) {
        return ActiveControllerResponse.newBuilder()
                .setError(Errors.of(code, message))
                .build();
    }

    private <T> CompletableFuture<T> onEventThread(Supplier<CompletableFuture<T>> work) {
        try {
            return CompletableFuture.supplyAsync(work, events).thenCompose(f -> f);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> expireSessions() {
        return closed ? CompletableFuture.completedFuture(null) : cluster.expireSessions();
    }

    /**
     * A heartbeat that reports unreachable brokers starts their probes now, not at the next liveness check. The
     * answer names this controller as the active one.
     */
    private CompletableFuture<BrokerHeartbeatResponse> heartbeat(BrokerHeartbeatRequest request) {
        CompletableFuture<BrokerHeartbeatResponse> answer = cluster.heartbeat(request);
        if (request.getUnreachableBrokersCount() > 0) {
            startProbes();
        }
        return answer.thenApply(
                r -> r.toBuilder().setActiveControllerId(config.nodeId()).build());
    }

    /** Expires sessions and starts the probes due. */
    private void checkLiveness() {
        if (closed) {
            return;
        }
        cluster.expireSessions();
        cluster.settlePartitions();
        startProbes();
    }

    /** Starts the probes due; each probe's outcome is decided back on the event thread. */
    private void startProbes() {
        for (ClusterControl.Probe due : cluster.probesDue()) {
            probe.refused(due.host(), due.port())
                    .thenComposeAsync(
                            refused -> closed ? CompletableFuture.completedFuture(null) : cluster.probed(due, refused),
                            events)
                    .exceptionally(e -> {
                        if (!(e.getCause() instanceof RejectedExecutionException)) {
                            LOG.error("The active controller failed to act on a probe of broker {}", due.brokerId(), e);
                        }
                        return null;
                    });
        }
    }

    /**
     * A new cluster's first active controller chooses its id; a controller that finds it chosen does nothing. A
     * choice that fails to commit is tried again a second later while this controller is active; a choice
     * refused because another leader's committed first changes nothing.
     */
    private void chooseClusterId() {
        if (closed || !state.clusterId().isEmpty()) {
            return;
        }
        String id = ClusterIds.random();
        propose(ControllerCommand.newBuilder()
                        .addRecords(MetadataRecord.newBuilder()
                                .setClusterId(ClusterIdRecord.newBuilder().setClusterId(id))))
                .thenAccept(r -> {
                    if (Errors.isOk(r.getError())) {
                        LOG.info("Chose the cluster's id: {}", id);
                    } else if (r.getError().getCode() == ErrorCode.NOT_CONTROLLER && !closed) {
                        events.schedule(() -> periodic("cluster id", this::chooseClusterId), 1, TimeUnit.SECONDS);
                    }
                });
    }

    /**
     * Appends an entry without records when this controller proposed nothing for a whole
     * {@code metadata.max.idle.interval.ms}, as Kafka's controller writes a NoOpRecord: no metadata changes
     * (the version brokers wait on stays), but the Raft log moves, which also ends Ratis's heartbeat-only
     * INCONSISTENCY loop ({@link io.ferry.controller.ControllerConfig#DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS}).
     */
    private void appendIfIdle() {
        if (closed) {
            return;
        }
        if (proposedSinceIdleCheck) {
            proposedSinceIdleCheck = false;
            return;
        }
        propose(ControllerCommand.newBuilder());
        proposedSinceIdleCheck = false;
    }

    private CompletableFuture<Void> rebalanceLeaders() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        List<MetadataRecord> records = replication.preferredLeaders();
        return records.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : propose(bulk(records)).thenApply(r -> null);
    }

    /**
     * A command of this controller's own decisions over many partitions (fencing, unfencing, rebalancing):
     * partitions that moved on before it applies are left out, and the next liveness check settles them.
     */
    private static ControllerCommand.Builder bulk(List<MetadataRecord> records) {
        return ControllerCommand.newBuilder().addAllRecords(records).setSkipStalePartitionChanges(true);
    }

    /**
     * Commits a decision's records and answers its response, wrapped, once they are applied; when they are
     * not (refused when applied, or not committed: NOT_CONTROLLER) the answer is a response of the same type
     * carrying only that error. The command of a request with an idempotency key also makes the controllers
     * remember it and its answer.
     */
    private <T extends Message> CompletableFuture<ActiveControllerResponse> commit(
            ActiveControllerRequest request,
            ControllerResult<T> result,
            Function<T, ActiveControllerResponse.Builder> wrap) {
        ActiveControllerResponse answer = wrap.apply(result.response()).build();
        if (result.records().isEmpty()) {
            return CompletableFuture.completedFuture(answer);
        }
        ControllerCommand.Builder command = ControllerCommand.newBuilder().addAllRecords(result.records());
        String key = request.getIdempotencyKey();
        if (!key.isEmpty()) {
            long now = clock.millis();
            command.setCompletes(CompletedRequest.newBuilder()
                            .setIdempotencyKey(key)
                            .setRequest(request.toBuilder().clearIdempotencyKey())
                            .setResponse(answer)
                            .setCompletedAtMs(now))
                    .setForgetCompletedBeforeMs(now - config.idempotencyKeyRetentionMs())
                    .setRememberAtMost(config.idempotencyKeyMaxCount());
        }
        return propose(command)
                .thenApply(r -> Errors.isOk(r.getError())
                        ? answer
                        : wrap.apply(Errors.responseLike(result.response(), r.getError()))
                                .build());
    }

    /**
     * Proposes the command in this term. The future completes on the event thread with the apply result,
     * or with a NOT_CONTROLLER result when the command could not be committed.
     */
    private CompletableFuture<CommandResult> propose(ControllerCommand.Builder decided) {
        proposedSinceIdleCheck = true;
        ControllerCommand command = decided.setLeaderTerm(term).build();
        int elections = 0;
        for (MetadataRecord r : command.getRecordsList()) {
            if (r.hasPartitionChange()
                    && r.getPartitionChange().getPartition().getLeaderEpoch()
                            != currentLeaderEpoch(r.getPartitionChange().getPartition())) {
                elections++;
            }
        }
        int electionCount = elections;
        CompletableFuture<CommandResult> result;
        try {
            result = proposer.propose(command);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handleAsync(
                (r, e) -> {
                    if (e != null) {
                        return CommandResult.newBuilder()
                                .setError(Errors.of(
                                        ErrorCode.NOT_CONTROLLER,
                                        "the command could not be committed: " + e.getMessage()))
                                .build();
                    }
                    if (Errors.isOk(r.getError())) {
                        leaderElections.increment(electionCount);
                    }
                    return r;
                },
                events);
    }

    private int currentLeaderEpoch(PartitionRecord next) {
        return state.partition(next.getTopic(), next.getPartition())
                .map(PartitionRecord::getLeaderEpoch)
                .orElse(next.getLeaderEpoch());
    }

    /** Stops deciding; pending and later requests answer NOT_CONTROLLER. */
    @Override
    public void close() {
        try {
            events.execute(() -> closed = true);
        } catch (RejectedExecutionException e) {
            return; // already closed
        }
        events.shutdown();
    }
}
