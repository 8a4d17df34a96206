package io.ferry.controller.internal;

import io.ferry.controller.ControllerConfig;
import io.ferry.proto.v1.ActiveControllerRequest;
import io.ferry.proto.v1.ActiveControllerResponse;
import io.ferry.proto.v1.AlterPartitionRequest;
import io.ferry.proto.v1.AlterPartitionResponse;
import io.ferry.proto.v1.AlterTopicConfigsRequest;
import io.ferry.proto.v1.AlterTopicConfigsResponse;
import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.ControlledShutdownRequest;
import io.ferry.proto.v1.ControlledShutdownResponse;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.CreatePartitionsRecord;
import io.ferry.proto.v1.CreatePartitionsRequest;
import io.ferry.proto.v1.CreatePartitionsResponse;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteTopicRecord;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RegisterBrokerRecord;
import io.ferry.proto.v1.RegisterBrokerRequest;
import io.ferry.proto.v1.RegisterBrokerResponse;
import io.ferry.proto.v1.TopicConfigChangeRecord;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.proto.v1.TopicRecord;
import io.micrometer.core.instrument.Counter;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller: runs only on the Raft leader, for one term. It keeps broker liveness in
 * memory (heartbeats are not replicated), fences brokers whose session expired, elects partition
 * leaders, places replicas and moves leadership back to preferred replicas. It decides commands from
 * the committed {@link MetadataState} and proposes them; it never mutates metadata itself.
 * Decisions that race with a concurrent change are refused when applied (partition epochs are
 * compare-and-set), and the next tick decides again.
 *
 * <p>Threading: one event thread owns all mutable state here (heartbeat table, in-flight sets,
 * timers); public methods only enqueue work on it. Times are wall-clock milliseconds from the
 * injected clock, so session expiry is testable without sleeping.
 */
public final class ActiveController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveController.class);

  private final long term;
  private final MetadataState state;
  private final CommandProposer proposer;
  private final InstantSource clock;
  private final ControllerConfig config;
  private final Counter leaderElections;
  private final LeadershipDecisions decisions;
  private final Thread.UncaughtExceptionHandler fatalErrors;
  private final ScheduledExecutorService events;

  // Owned by the event thread.
  private final Map<Integer, Long> lastHeartbeatMs = new HashMap<>();
  private final Set<Integer> fencingInFlight = new HashSet<>();
  /** Brokers in controlled shutdown: their heartbeats keep the session but do not unfence them. */
  private final Set<Integer> shuttingDown = new HashSet<>();
  private boolean closed;

  /**
   * Starts the controller for Raft term {@code term}. Every broker registered so far gets a full
   * session timeout from now before it can be fenced: heartbeats sent to the previous active
   * controller are not known here.
   *
   * @param fatalErrors gets an {@link java.lang.Error} thrown on the event thread (the controller cannot go on
   *     deciding after one); other failures are answered or logged
   */
  public static ActiveController start(long term, MetadataState state, CommandProposer proposer, InstantSource clock,
      ControllerConfig config, Counter leaderElections, Thread.UncaughtExceptionHandler fatalErrors) {
    ActiveController c = new ActiveController(term, state, proposer, clock, config, leaderElections, fatalErrors);
    long activatedMs = clock.millis();
    c.events.execute(() -> c.grantGracePeriod(activatedMs));
    long checkMs = Math.max(10, Math.min(config.brokerSessionTimeoutMs() / 4, 500));
    c.events.scheduleWithFixedDelay(() -> c.periodic("session expiry", c::expireSessions), checkMs, checkMs,
        TimeUnit.MILLISECONDS);
    if (config.autoLeaderRebalanceEnable()) {
      long every = config.leaderImbalanceCheckIntervalMs();
      c.events.scheduleWithFixedDelay(() -> c.periodic("leader rebalance", c::rebalanceLeaders), every, every,
          TimeUnit.MILLISECONDS);
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

  private ActiveController(long term, MetadataState state, CommandProposer proposer, InstantSource clock,
      ControllerConfig config, Counter leaderElections, Thread.UncaughtExceptionHandler fatalErrors) {
    this.term = term;
    this.state = state;
    this.proposer = proposer;
    this.clock = clock;
    this.config = config;
    this.leaderElections = leaderElections;
    this.fatalErrors = fatalErrors;
    this.decisions = new LeadershipDecisions(state, config.uncleanLeaderElectionEnable());
    this.events = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ferry-active-controller-" + config.nodeId() + "-term-" + term);
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(fatalErrors);
      return t;
    });
  }

  /** Handles a request only the active controller may decide. Never completes exceptionally. */
  public CompletableFuture<ActiveControllerResponse> handle(ActiveControllerRequest request) {
    return onEventThread(() -> {
      if (closed) {
        return CompletableFuture.completedFuture(notActive());
      }
      switch (request.getRequestCase()) {
        case REGISTER_BROKER:
          return register(request.getRegisterBroker())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setRegisterBroker(r).build());
        case BROKER_HEARTBEAT:
          return heartbeat(request.getBrokerHeartbeat())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setBrokerHeartbeat(r).build());
        case CREATE_TOPIC:
          return createTopic(request.getCreateTopic(), request.getRetry())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setCreateTopic(r).build());
        case DELETE_TOPIC:
          return deleteTopic(request.getDeleteTopic())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setDeleteTopic(r).build());
        case ALTER_PARTITION:
          return alterPartition(request.getAlterPartition())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setAlterPartition(r).build());
        case CONTROLLED_SHUTDOWN:
          return controlledShutdown(request.getControlledShutdown())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setControlledShutdown(r).build());
        case ALTER_TOPIC_CONFIGS:
          return alterTopicConfigs(request.getAlterTopicConfigs())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setAlterTopicConfigs(r).build());
        case CREATE_PARTITIONS:
          return createPartitions(request.getCreatePartitions(), request.getRetry())
              .thenApply(r -> ActiveControllerResponse.newBuilder().setCreatePartitions(r).build());
        case DESCRIBE_TOPICS:
          return CompletableFuture.completedFuture(ActiveControllerResponse.newBuilder()
              .setDescribeTopics(describeTopics(request.getDescribeTopics())).build());
        default:
          return CompletableFuture.completedFuture(ActiveControllerResponse.newBuilder()
              .setNotActive(Errors.of(ErrorCode.INVALID_REQUEST, "empty or unknown controller request")).build());
      }
    }).exceptionally(this::failed);
  }

  /**
   * Closed underneath the request: NOT_CONTROLLER (the router retries); an Error goes to the fatal-error
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
    return ActiveControllerResponse.newBuilder().setNotActive(Errors.of(ErrorCode.UNKNOWN_SERVER_ERROR,
        "the active controller failed: " + cause)).build();
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
    return ActiveControllerResponse.newBuilder()
        .setNotActive(Errors.of(ErrorCode.NOT_CONTROLLER, "this node is not the active controller")).build();
  }

  private <T> CompletableFuture<T> onEventThread(Supplier<CompletableFuture<T>> work) {
    try {
      return CompletableFuture.supplyAsync(work, events).thenCompose(f -> f);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- liveness ----

  private void grantGracePeriod(long activatedMs) {
    for (BrokerRegistration b : state.brokers()) {
      lastHeartbeatMs.put(b.getBrokerId(), activatedMs);
    }
  }

  private boolean sessionAlive(int brokerId, long now) {
    Long last = lastHeartbeatMs.get(brokerId);
    return last != null && now - last <= config.brokerSessionTimeoutMs();
  }

  private CompletableFuture<Void> expireSessions() {
    if (closed) {
      return CompletableFuture.completedFuture(null);
    }
    long now = clock.millis();
    Set<Integer> expired = new HashSet<>();
    for (BrokerRegistration b : state.brokers()) {
      int id = b.getBrokerId();
      lastHeartbeatMs.putIfAbsent(id, now);
      if (!b.getFenced() && !sessionAlive(id, now) && !fencingInFlight.contains(id)) {
        expired.add(id);
      }
    }
    if (expired.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    fencingInFlight.addAll(expired);
    return propose(decisions.fence(expired, liveness(expired, -1))).handleAsync((r, e) -> {
      fencingInFlight.removeAll(expired);
      return null;
    }, events);
  }

  /** Alive: registered, unfenced and not in {@code dead}; or exactly {@code unfencing}. */
  private IntPredicate liveness(Set<Integer> dead, int unfencing) {
    Set<Integer> live = new HashSet<>();
    for (BrokerRegistration b : state.brokers()) {
      if (!b.getFenced() && !dead.contains(b.getBrokerId()) && !fencingInFlight.contains(b.getBrokerId())) {
        live.add(b.getBrokerId());
      }
    }
    if (unfencing >= 0) {
      live.add(unfencing);
    }
    return live::contains;
  }

  // ---- requests ----

  private CompletableFuture<RegisterBrokerResponse> register(RegisterBrokerRequest req) {
    Error invalid = RequestChecks.registration(req);
    if (!Errors.isOk(invalid)) {
      return CompletableFuture.completedFuture(RegisterBrokerResponse.newBuilder().setError(invalid).build());
    }
    long now = clock.millis();
    int id = req.getBrokerId();
    Optional<BrokerRegistration> existing = state.broker(id);
    BrokerRegistration wanted = BrokerRegistration.newBuilder().setBrokerId(id)
        .setIncarnationId(req.getIncarnationId()).addAllEndpoints(req.getEndpointsList()).setFenced(true).build();
    List<MetadataRecord> records = new ArrayList<>();
    if (existing.isPresent() && existing.get().getIncarnationId().equals(req.getIncarnationId())) {
      lastHeartbeatMs.put(id, now);
      if (existing.get().getEndpointsList().equals(req.getEndpointsList())) {
        return CompletableFuture.completedFuture(RegisterBrokerResponse.newBuilder().setError(Errors.NONE)
            .setMetadataVersion(state.version()).build());
      }
      wanted = wanted.toBuilder().setFenced(existing.get().getFenced()).build();
    } else if (existing.isPresent() && !existing.get().getFenced()) {
      if (sessionAlive(id, now)) {
        return CompletableFuture.completedFuture(RegisterBrokerResponse.newBuilder().setError(Errors.of(
            ErrorCode.DUPLICATE_BROKER_REGISTRATION, "broker " + id + " is already registered with incarnation "
                + existing.get().getIncarnationId() + " and its session is alive; retry after "
                + config.brokerSessionTimeoutMs() + " ms if that process is gone")).build());
      }
      records.addAll(decisions.fence(Set.of(id), liveness(Set.of(id), -1)));
    }
    records.add(MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
        .setRegistration(wanted)).build());
    shuttingDown.remove(id);
    return propose(records).thenApplyAsync(r -> {
      if (Errors.isOk(r.getError())) {
        lastHeartbeatMs.put(id, clock.millis());
      }
      return RegisterBrokerResponse.newBuilder().setError(r.getError()).setMetadataVersion(r.getMetadataVersion())
          .build();
    }, events);
  }

  private CompletableFuture<BrokerHeartbeatResponse> heartbeat(BrokerHeartbeatRequest req) {
    Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
    Error error = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
    if (!Errors.isOk(error)) {
      return CompletableFuture.completedFuture(BrokerHeartbeatResponse.newBuilder().setError(error).setFenced(true)
          .build());
    }
    BrokerRegistration b = broker.get();
    lastHeartbeatMs.put(b.getBrokerId(), clock.millis());
    if (!b.getFenced() || shuttingDown.contains(b.getBrokerId()) || fencingInFlight.contains(b.getBrokerId())) {
      return CompletableFuture.completedFuture(BrokerHeartbeatResponse.newBuilder().setError(Errors.NONE)
          .setFenced(b.getFenced()).setMetadataVersion(state.version()).build());
    }
    return propose(decisions.unfence(b, liveness(Set.of(), b.getBrokerId()))).thenApply(r -> BrokerHeartbeatResponse.newBuilder().setError(r.getError())
        .setFenced(!Errors.isOk(r.getError())).setMetadataVersion(r.getMetadataVersion()).build());
  }

  /**
   * @param retry the router sent this again after an attempt with no answer: a topic that exists exactly as
   *     asked was most likely created by that attempt, and is answered as created
   */
  /** The named topics (every topic when none is named) as committed; a name never created is UNKNOWN_TOPIC. */
  private DescribeTopicsResponse describeTopics(DescribeTopicsRequest request) {
    DescribeTopicsResponse.Builder b = DescribeTopicsResponse.newBuilder();
    List<String> names = new ArrayList<>(request.getNamesList());
    if (names.isEmpty()) {
      state.topics().forEach(t -> names.add(t.getName()));
    }
    for (String name : names) {
      Optional<TopicRecord> topic = state.topic(name);
      TopicDescription.Builder d = TopicDescription.newBuilder().setName(name);
      if (topic.isPresent()) {
        d.setError(Errors.NONE).setTopic(topic.get()).addAllPartitions(state.partitions(name));
      } else {
        Error invalid = TopicValidation.checkName(name);
        d.setError(Errors.isOk(invalid) ? Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + name + " does not exist")
            : invalid);
      }
      b.addTopics(d);
    }
    return b.setMetadataVersion(state.version()).build();
  }

  private CompletableFuture<CreateTopicResponse> createTopic(CreateTopicRequest req, boolean retry) {
    Error invalid = TopicValidation.checkCreate(req);
    if (!Errors.isOk(invalid)) {
      return CompletableFuture.completedFuture(CreateTopicResponse.newBuilder().setError(invalid).build());
    }
    Optional<TopicRecord> existing = state.topic(req.getName());
    if (retry && existing.isPresent() && existing.get().getPartitionCount() == req.getPartitionCount()
        && existing.get().getReplicationFactor() == req.getReplicationFactor()
        && existing.get().getConfigsMap().equals(req.getConfigsMap())) {
      return CompletableFuture.completedFuture(CreateTopicResponse.newBuilder().setError(Errors.NONE)
          .setTopic(existing.get()).addAllPartitions(state.partitions(req.getName())).build());
    }
    if (existing.isPresent()) {
      return CompletableFuture.completedFuture(CreateTopicResponse.newBuilder().setError(Errors.of(
          ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + req.getName() + " already exists")).build());
    }
    List<Integer> live = liveBrokers();
    Error tooFew = placeable(req.getReplicationFactor(), live);
    if (!Errors.isOk(tooFew)) {
      return CompletableFuture.completedFuture(CreateTopicResponse.newBuilder().setError(tooFew).build());
    }
    TopicRecord topic = TopicRecord.newBuilder().setName(req.getName()).setTopicId(UUID.randomUUID().toString())
        .setPartitionCount(req.getPartitionCount()).setReplicationFactor(req.getReplicationFactor())
        .putAllConfigs(req.getConfigsMap()).build();
    CreateTopicRecord record = CreateTopicRecord.newBuilder().setTopic(topic)
        .addAllPartitions(placed(topic, 0, req.getPartitionCount(), live)).build();
    return propose(List.of(MetadataRecord.newBuilder().setCreateTopic(record).build())).thenApply(r -> {
      CreateTopicResponse.Builder b = CreateTopicResponse.newBuilder().setError(r.getError());
      if (Errors.isOk(r.getError())) {
        b.setTopic(topic).addAllPartitions(record.getPartitionsList());
      }
      return b.build();
    });
  }

  /** Registered, unfenced brokers whose session is alive: where new replicas may go. */
  private List<Integer> liveBrokers() {
    List<Integer> live = new ArrayList<>();
    IntPredicate alive = liveness(Set.of(), -1);
    long now = clock.millis();
    for (BrokerRegistration b : state.brokers()) {
      if (alive.test(b.getBrokerId()) && sessionAlive(b.getBrokerId(), now)) {
        live.add(b.getBrokerId());
      }
    }
    return live;
  }

  private static Error placeable(int replicationFactor, List<Integer> live) {
    return replicationFactor <= live.size() ? Errors.NONE : Errors.of(ErrorCode.INVALID_REPLICATION_FACTOR,
        "replication factor " + replicationFactor + " is larger than the number of live brokers (" + live.size()
            + ": " + live + ")");
  }

  /** Partitions {@code first} to {@code first + count - 1} of {@code topic}, placed on {@code live} brokers. */
  private List<PartitionRecord> placed(TopicRecord topic, int first, int count, List<Integer> live) {
    List<List<Integer>> placement = ReplicaPlacer.place(live, state.replicaAndLeaderCounts(), count,
        topic.getReplicationFactor());
    List<PartitionRecord> partitions = new ArrayList<>();
    for (int i = 0; i < placement.size(); i++) {
      List<Integer> replicas = placement.get(i);
      partitions.add(PartitionRecord.newBuilder().setTopic(topic.getName()).setTopicId(topic.getTopicId())
          .setPartition(first + i).addAllReplicas(replicas).addAllIsr(replicas).setLeader(replicas.get(0)).build());
    }
    return partitions;
  }

  /**
   * As for CreateTopic, a request the router sends again after losing the first attempt's answer is
   * answered as done when the topic already has the count asked for (its partitions are not repeated).
   */
  private CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest req, boolean retry) {
    Error error = TopicValidation.checkName(req.getName());
    Optional<TopicRecord> topic = state.topic(req.getName());
    if (Errors.isOk(error) && topic.isEmpty()) {
      error = Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + req.getName() + " does not exist");
    }
    int current = topic.map(TopicRecord::getPartitionCount).orElse(0);
    if (Errors.isOk(error) && retry && req.getCount() == current) {
      return CompletableFuture.completedFuture(CreatePartitionsResponse.newBuilder().setError(Errors.NONE).build());
    }
    if (Errors.isOk(error) && (req.getCount() <= current || req.getCount() > TopicValidation.MAX_PARTITIONS)) {
      error = Errors.of(ErrorCode.INVALID_PARTITIONS, "topic " + req.getName() + " has " + current
          + " partition(s); the new count must be above that and at most " + TopicValidation.MAX_PARTITIONS
          + ", got " + req.getCount());
    }
    List<Integer> live = liveBrokers();
    if (Errors.isOk(error)) {
      error = placeable(topic.get().getReplicationFactor(), live);
    }
    if (!Errors.isOk(error)) {
      return CompletableFuture.completedFuture(CreatePartitionsResponse.newBuilder().setError(error).build());
    }
    List<PartitionRecord> added = placed(topic.get(), current, req.getCount() - current, live);
    return propose(List.of(MetadataRecord.newBuilder().setCreatePartitions(CreatePartitionsRecord.newBuilder()
        .setName(req.getName()).setTopicId(topic.get().getTopicId()).addAllPartitions(added)).build()))
        .thenApply(r -> {
          CreatePartitionsResponse.Builder response = CreatePartitionsResponse.newBuilder().setError(r.getError());
          return Errors.isOk(r.getError()) ? response.addAllPartitions(added).build() : response.build();
        });
  }

  private CompletableFuture<DeleteTopicResponse> deleteTopic(DeleteTopicRequest req) {
    Error invalid = TopicValidation.checkName(req.getName());
    if (!Errors.isOk(invalid)) {
      return CompletableFuture.completedFuture(DeleteTopicResponse.newBuilder().setError(invalid).build());
    }
    Optional<TopicRecord> topic = state.topic(req.getName());
    if (topic.isEmpty()) {
      return CompletableFuture.completedFuture(DeleteTopicResponse.newBuilder().setError(Errors.of(
          ErrorCode.UNKNOWN_TOPIC, "topic " + req.getName() + " does not exist")).build());
    }
    return propose(List.of(MetadataRecord.newBuilder().setDeleteTopic(DeleteTopicRecord.newBuilder()
        .setName(req.getName()).setTopicId(topic.get().getTopicId())).build()))
        .thenApply(r -> DeleteTopicResponse.newBuilder().setError(r.getError()).build());
  }

  /**
   * The topic's overrides with {@code set} applied and {@code delete} removed. Keys and values are the
   * receiving broker's to check (as at creation: the controller does not know the brokers' settings),
   * except that a {@code min.insync.replicas} set must be reachable with the topic's replicas.
   */
  private CompletableFuture<AlterTopicConfigsResponse> alterTopicConfigs(AlterTopicConfigsRequest req) {
    Error error = TopicValidation.checkName(req.getName());
    Optional<TopicRecord> topic = state.topic(req.getName());
    if (Errors.isOk(error) && topic.isEmpty()) {
      error = Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + req.getName() + " does not exist");
    }
    for (String key : req.getDeleteList()) {
      if (Errors.isOk(error) && req.getSetMap().containsKey(key)) {
        error = Errors.of(ErrorCode.INVALID_CONFIG, key + " is both set and deleted");
      }
    }
    Map<String, String> configs = new TreeMap<>(topic.map(TopicRecord::getConfigsMap).orElse(Map.of()));
    configs.putAll(req.getSetMap());
    req.getDeleteList().forEach(configs::remove);
    if (Errors.isOk(error)) {
      error = TopicValidation.checkConfigs(configs);
    }
    if (Errors.isOk(error) && req.getSetMap().containsKey(TopicValidation.MIN_INSYNC_REPLICAS)) {
      error = TopicValidation.checkMinInsyncReplicas(configs, topic.get().getReplicationFactor());
    }
    if (!Errors.isOk(error)) {
      return CompletableFuture.completedFuture(AlterTopicConfigsResponse.newBuilder().setError(error).build());
    }
    return propose(List.of(MetadataRecord.newBuilder().setTopicConfigChange(TopicConfigChangeRecord.newBuilder()
        .setName(req.getName()).setTopicId(topic.get().getTopicId()).putAllConfigs(configs)).build()))
        .thenApply(r -> {
          AlterTopicConfigsResponse.Builder response = AlterTopicConfigsResponse.newBuilder().setError(r.getError());
          return Errors.isOk(r.getError()) ? response.putAllConfigs(configs).build() : response.build();
        });
  }

  private CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest req) {
    Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
    Error error = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
    Optional<PartitionRecord> current = state.partition(req.getTopic(), req.getPartition());
    if (Errors.isOk(error)) {
      error = RequestChecks.alterPartition(req, state.topic(req.getTopic()).isPresent(), current, broker.get(),
          liveness(Set.of(), -1));
    }
    if (!Errors.isOk(error)) {
      AlterPartitionResponse.Builder b = AlterPartitionResponse.newBuilder().setError(error);
      current.ifPresent(b::setPartition);
      return CompletableFuture.completedFuture(b.build());
    }
    Optional<PartitionChangeRecord> change = new PartitionChangeBuilder(current.get(), liveness(Set.of(), -1))
        .targetIsr(req.getNewIsrList()).build();
    if (change.isEmpty()) {
      return CompletableFuture.completedFuture(AlterPartitionResponse.newBuilder().setError(Errors.NONE)
          .setPartition(current.get()).build());
    }
    PartitionRecord next = change.get().getPartition();
    return propose(List.of(MetadataRecord.newBuilder().setPartitionChange(change.get()).build())).thenApply(r -> {
      AlterPartitionResponse.Builder b = AlterPartitionResponse.newBuilder().setError(r.getError());
      if (Errors.isOk(r.getError())) {
        b.setPartition(next);
      }
      return b.build();
    });
  }

  private CompletableFuture<ControlledShutdownResponse> controlledShutdown(ControlledShutdownRequest req) {
    Optional<BrokerRegistration> broker = state.broker(req.getBrokerId());
    Error error = RequestChecks.incarnation(broker, req.getBrokerId(), req.getIncarnationId());
    if (!Errors.isOk(error)) {
      return CompletableFuture.completedFuture(ControlledShutdownResponse.newBuilder().setError(error).build());
    }
    int id = req.getBrokerId();
    shuttingDown.add(id);
    if (broker.get().getFenced()) {
      return CompletableFuture.completedFuture(ControlledShutdownResponse.newBuilder().setError(Errors.NONE)
          .setRemainingLeaderships(leaderships(id)).build());
    }
    return propose(decisions.fence(Set.of(id), liveness(Set.of(id), -1))).thenApply(r -> ControlledShutdownResponse.newBuilder()
        .setError(r.getError()).setRemainingLeaderships(leaderships(id)).build());
  }

  private int leaderships(int brokerId) {
    int n = 0;
    for (PartitionRecord p : state.allPartitions()) {
      if (p.getLeader() == brokerId) {
        n++;
      }
    }
    return n;
  }

  private CompletableFuture<Void> rebalanceLeaders() {
    if (closed) {
      return CompletableFuture.completedFuture(null);
    }
    List<MetadataRecord> records = decisions.preferredLeaders(liveness(Set.of(), -1));
    return records.isEmpty() ? CompletableFuture.completedFuture(null) : propose(records).thenApply(r -> null);
  }

  // ---- proposing ----

  /**
   * Proposes the records as one command. The future completes with the apply result, or with a
   * NOT_CONTROLLER result when the command could not be committed.
   */
  private CompletableFuture<CommandResult> propose(List<MetadataRecord> records) {
    ControllerCommand command = ControllerCommand.newBuilder().setLeaderTerm(term).addAllRecords(records).build();
    int elections = 0;
    for (MetadataRecord r : records) {
      if (r.hasPartitionChange() && r.getPartitionChange().getPartition().getLeaderEpoch()
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
    return result.handle((r, e) -> {
      if (e != null) {
        return CommandResult.newBuilder().setError(Errors.of(ErrorCode.NOT_CONTROLLER,
            "the command could not be committed: " + e.getMessage())).build();
      }
      if (Errors.isOk(r.getError())) {
        leaderElections.increment(electionCount);
      }
      return r;
    });
  }

  private int currentLeaderEpoch(PartitionRecord next) {
    return state.partition(next.getTopic(), next.getPartition()).map(PartitionRecord::getLeaderEpoch)
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
