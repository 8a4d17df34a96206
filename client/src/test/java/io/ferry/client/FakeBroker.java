package io.ferry.client;

import static io.ferry.client.FakeCluster.error;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DeleteTopicRequest;
import io.ferry.proto.v1.DeleteTopicResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.DescribeTopicsRequest;
import io.ferry.proto.v1.DescribeTopicsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchPartition;
import io.ferry.proto.v1.FetchPartitionResult;
import io.ferry.proto.v1.FetchRequest;
import io.ferry.proto.v1.FetchResponse;
import io.ferry.proto.v1.FetchTopic;
import io.ferry.proto.v1.FetchTopicResult;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.ferry.proto.v1.LeaderHint;
import io.ferry.proto.v1.ListOffsetsPartition;
import io.ferry.proto.v1.ListOffsetsPartitionResult;
import io.ferry.proto.v1.ListOffsetsRequest;
import io.ferry.proto.v1.ListOffsetsResponse;
import io.ferry.proto.v1.ListOffsetsTopic;
import io.ferry.proto.v1.ListOffsetsTopicResult;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PartitionProduceData;
import io.ferry.proto.v1.PartitionProduceResult;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import io.ferry.proto.v1.TopicDescription;
import io.ferry.proto.v1.TopicMetadata;
import io.ferry.proto.v1.TopicProduceData;
import io.ferry.proto.v1.TopicProduceResult;
import io.ferry.record.CorruptBatchException;
import io.ferry.record.Record;
import io.ferry.record.RecordBatch;
import io.ferry.record.RecordIterator;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code BrokerService} double on a loopback port, answering from its {@link FakeCluster}. It
 * records the requests it gets and can be told to fail produce requests, to swallow them, or to
 * break its open produce streams.
 */
final class FakeBroker extends BrokerServiceGrpc.BrokerServiceImplBase {

    private final int id;
    private final FakeCluster cluster;
    private final Server server;
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();

    final List<ProduceRequest> produceRequests = Collections.synchronizedList(new ArrayList<>());
    final List<FetchRequest> fetchRequests = Collections.synchronizedList(new ArrayList<>());
    final List<ListOffsetsRequest> listOffsetsRequests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger initProducerIdRequests = new AtomicInteger();

    // Guarded by this.
    private final Deque<ErrorCode> produceFailures = new ArrayDeque<>();
    private final List<ServerCallStreamObserver<ProduceResponse>> openStreams = new ArrayList<>();
    private boolean swallowProduce;
    private boolean holdAnswers;
    private final List<Runnable> heldAnswers = new ArrayList<>();
    private int dropAnswers;
    private final Deque<ErrorCode> initProducerIdFailures = new ArrayDeque<>();
    private final Deque<ErrorCode> adminFailures = new ArrayDeque<>();
    final AtomicInteger adminRequests = new AtomicInteger();
    /** The idempotency key of every admin call that changes the cluster, in arrival order. */
    final List<String> idempotencyKeys = Collections.synchronizedList(new ArrayList<>());

    FakeBroker(int id, FakeCluster cluster) throws IOException {
        this.id = id;
        this.cluster = cluster;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(this)
                .build()
                .start();
    }

    int id() {
        return id;
    }

    int port() {
        return server.getPort();
    }

    /** The next {@code times} partition appends answer {@code code} instead. */
    synchronized void failNextProduce(ErrorCode code, int times) {
        for (int i = 0; i < times; i++) {
            produceFailures.add(code);
        }
    }

    /** The next {@code times} admin calls answer {@code code}. */
    synchronized void failNextAdmin(ErrorCode code, int times) {
        for (int i = 0; i < times; i++) {
            adminFailures.add(code);
        }
    }

    private synchronized ErrorCode adminFailure() {
        adminRequests.incrementAndGet();
        return adminFailures.poll();
    }

    /** While true, produce requests are recorded but neither appended nor answered (a hung broker). */
    synchronized void swallowProduce(boolean swallow) {
        this.swallowProduce = swallow;
    }

    /** From now on, produce requests on streams are appended but their answers kept until {@link #releaseAnswers}. */
    synchronized void holdAnswers() {
        holdAnswers = true;
    }

    /** Sends the held answers, in arrival order or the reverse, and stops holding. */
    synchronized void releaseAnswers(boolean reversed) {
        holdAnswers = false;
        List<Runnable> answers = new ArrayList<>(heldAnswers);
        heldAnswers.clear();
        if (reversed) {
            Collections.reverse(answers);
        }
        answers.forEach(Runnable::run);
    }

    /** Sends the held answers but the first, in arrival order, and goes on holding that one and new ones. */
    synchronized void releaseAnswersButFirst() {
        List<Runnable> answers = new ArrayList<>(heldAnswers.subList(1, heldAnswers.size()));
        heldAnswers.subList(1, heldAnswers.size()).clear();
        answers.forEach(Runnable::run);
    }

    /**
     * The next {@code times} produce requests are appended, then their stream is broken instead of
     * answered: the answer is lost after the write, as when a connection drops.
     */
    synchronized void dropAnswersAfterAppend(int times) {
        this.dropAnswers = times;
    }

    /** The next {@code times} InitProducerId calls answer {@code code}. */
    synchronized void failNextInitProducerId(ErrorCode code, int times) {
        for (int i = 0; i < times; i++) {
            initProducerIdFailures.add(code);
        }
    }

    /** Ends every open produce stream with UNAVAILABLE, as a dropped connection would. */
    synchronized void breakProduceStreams() {
        openStreams.forEach(s ->
                s.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException()));
        openStreams.clear();
    }

    List<ProduceRequest> produceRequests() {
        synchronized (produceRequests) {
            return List.copyOf(produceRequests);
        }
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
        ProduceResponse response = handleProduce(request);
        if (response != null) {
            out.onNext(response);
        }
        out.onCompleted();
    }

    @Override
    public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> out) {
        ServerCallStreamObserver<ProduceResponse> responses = (ServerCallStreamObserver<ProduceResponse>) out;
        synchronized (this) {
            openStreams.add(responses);
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(ProduceRequest request) {
                ProduceResponse response = handleProduce(request);
                if (response != null && request.getAcks() != Acks.ACKS_NONE) {
                    synchronized (FakeBroker.this) {
                        if (dropAnswers > 0) {
                            dropAnswers--;
                            breakProduceStreams();
                        } else if (holdAnswers) {
                            heldAnswers.add(() -> {
                                if (openStreams.contains(responses)) {
                                    responses.onNext(response);
                                }
                            });
                        } else if (openStreams.contains(responses)) {
                            responses.onNext(response);
                        }
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                synchronized (FakeBroker.this) {
                    openStreams.remove(responses);
                }
            }

            @Override
            public void onCompleted() {
                synchronized (FakeBroker.this) {
                    if (openStreams.remove(responses)) {
                        responses.onCompleted();
                    }
                }
            }
        };
    }

    private ProduceResponse handleProduce(ProduceRequest request) {
        produceRequests.add(request);
        synchronized (this) {
            if (swallowProduce) {
                return null;
            }
        }
        ProduceResponse.Builder response = ProduceResponse.newBuilder().setCorrelationId(request.getCorrelationId());
        for (TopicProduceData topic : request.getTopicsList()) {
            TopicProduceResult.Builder tr = TopicProduceResult.newBuilder().setTopic(topic.getTopic());
            for (PartitionProduceData data : topic.getPartitionsList()) {
                tr.addPartitions(
                        appendOne(new TopicPartition(topic.getTopic(), data.getPartition()), data.getRecords()));
            }
            response.addTopics(tr);
        }
        return response.build();
    }

    private PartitionProduceResult appendOne(TopicPartition tp, ByteString records) {
        PartitionProduceResult.Builder result = PartitionProduceResult.newBuilder()
                .setPartition(tp.partition())
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1);
        ErrorCode injected;
        synchronized (this) {
            injected = produceFailures.poll();
        }
        if (injected != null) {
            return result.setError(error(injected, "injected " + injected)).build();
        }
        synchronized (cluster) {
            if (cluster.log(tp) == null) {
                return result.setError(error(ErrorCode.UNKNOWN_TOPIC, "no partition " + tp))
                        .build();
            }
            if (cluster.leader(tp) != id) {
                return result.setError(error(ErrorCode.NOT_LEADER, "broker " + id + " does not lead " + tp))
                        .setLeader(hint(tp))
                        .build();
            }
            try {
                return result.setError(error(ErrorCode.NONE, ""))
                        .setBaseOffset(cluster.append(tp, records.asReadOnlyByteBuffer()))
                        .setLogStartOffset(cluster.log(tp).logStartOffset)
                        .build();
            } catch (CorruptBatchException e) {
                return result.setError(error(ErrorCode.CORRUPT_BATCH, e.getMessage()))
                        .build();
            } catch (FakeCluster.SequenceRefused e) {
                return result.setError(error(e.code, e.getMessage())).build();
            }
        }
    }

    private LeaderHint hint(TopicPartition tp) {
        return LeaderHint.newBuilder()
                .setLeaderId(cluster.leader(tp))
                .setLeaderEpoch(cluster.leaderEpoch(tp))
                .build();
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
        fetchRequests.add(request);
        FetchResponse response = answerFetch(request);
        if (bytes(response) >= Math.max(1, request.getMinBytes())
                || request.getMaxWaitMs() <= 0
                || hasError(response)) {
            out.onNext(response);
            out.onCompleted();
            return;
        }
        delays.schedule(
                () -> {
                    out.onNext(answerFetch(request));
                    out.onCompleted();
                },
                Math.min(request.getMaxWaitMs(), 200),
                TimeUnit.MILLISECONDS);
    }

    private static long bytes(FetchResponse response) {
        return response.getTopicsList().stream()
                .flatMap(t -> t.getPartitionsList().stream())
                .mapToLong(p -> p.getRecords().size())
                .sum();
    }

    private static boolean hasError(FetchResponse response) {
        return response.getTopicsList().stream()
                .flatMap(t -> t.getPartitionsList().stream())
                .anyMatch(p -> p.getError().getCode() != ErrorCode.NONE);
    }

    private FetchResponse answerFetch(FetchRequest request) {
        FetchResponse.Builder response = FetchResponse.newBuilder();
        synchronized (cluster) {
            for (FetchTopic topic : request.getTopicsList()) {
                FetchTopicResult.Builder tr = FetchTopicResult.newBuilder().setTopic(topic.getTopic());
                for (FetchPartition p : topic.getPartitionsList()) {
                    tr.addPartitions(fetchOne(new TopicPartition(topic.getTopic(), p.getPartition()), p));
                }
                response.addTopics(tr);
            }
        }
        return response.build();
    }

    private FetchPartitionResult fetchOne(TopicPartition tp, FetchPartition p) {
        FetchPartitionResult.Builder result =
                FetchPartitionResult.newBuilder().setPartition(tp.partition()).setError(error(ErrorCode.NONE, ""));
        FakeCluster.PartitionLog log = cluster.log(tp);
        if (log == null) {
            return result.setError(error(ErrorCode.UNKNOWN_TOPIC, "no partition " + tp))
                    .build();
        }
        if (log.leader != id) {
            return result.setError(error(ErrorCode.NOT_LEADER, "broker " + id + " does not lead " + tp))
                    .setLeader(hint(tp))
                    .build();
        }
        if (p.getCurrentLeaderEpoch() >= 0 && p.getCurrentLeaderEpoch() < log.leaderEpoch) {
            return result.setError(error(
                            ErrorCode.FENCED_LEADER_EPOCH,
                            "epoch " + p.getCurrentLeaderEpoch() + " is older than " + log.leaderEpoch))
                    .setLeader(hint(tp))
                    .build();
        }
        result.setHighWatermark(log.logEndOffset).setLogStartOffset(log.logStartOffset);
        if (p.getFetchOffset() < log.logStartOffset || p.getFetchOffset() > log.logEndOffset) {
            return result.setError(error(
                            ErrorCode.OFFSET_OUT_OF_RANGE,
                            "offset " + p.getFetchOffset() + " is outside " + log.logStartOffset + ".."
                                    + log.logEndOffset))
                    .build();
        }
        ByteString records = ByteString.EMPTY;
        for (RecordBatch batch : log.batches) {
            if (batch.lastOffset() < p.getFetchOffset()) {
                continue;
            }
            if (!records.isEmpty() && records.size() + batch.sizeInBytes() > p.getPartitionMaxBytes()) {
                break;
            }
            records = records.concat(ByteString.copyFrom(batch.buffer()));
        }
        return result.setRecords(records).build();
    }

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> out) {
        listOffsetsRequests.add(request);
        ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
        synchronized (cluster) {
            for (ListOffsetsTopic topic : request.getTopicsList()) {
                ListOffsetsTopicResult.Builder tr =
                        ListOffsetsTopicResult.newBuilder().setTopic(topic.getTopic());
                for (ListOffsetsPartition p : topic.getPartitionsList()) {
                    tr.addPartitions(listOne(new TopicPartition(topic.getTopic(), p.getPartition()), p.getTimestamp()));
                }
                response.addTopics(tr);
            }
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    private ListOffsetsPartitionResult listOne(TopicPartition tp, long timestamp) {
        ListOffsetsPartitionResult.Builder result = ListOffsetsPartitionResult.newBuilder()
                .setPartition(tp.partition())
                .setError(error(ErrorCode.NONE, ""))
                .setTimestamp(-1)
                .setOffset(-1);
        FakeCluster.PartitionLog log = cluster.log(tp);
        if (log == null) {
            return result.setError(error(ErrorCode.UNKNOWN_TOPIC, "no partition " + tp))
                    .build();
        }
        if (log.leader != id) {
            return result.setError(error(ErrorCode.NOT_LEADER, "not the leader"))
                    .setLeader(hint(tp))
                    .build();
        }
        result.setLeaderEpoch(log.leaderEpoch);
        if (timestamp == -2) {
            return result.setOffset(log.logStartOffset).build();
        }
        if (timestamp == -1) {
            return result.setOffset(log.logEndOffset).build();
        }
        try {
            for (RecordBatch batch : log.batches) {
                RecordIterator it = batch.records();
                while (it.hasNext()) {
                    Record r = it.next();
                    if (r.timestamp() >= timestamp) {
                        return result.setOffset(r.offset())
                                .setTimestamp(r.timestamp())
                                .build();
                    }
                }
            }
        } catch (CorruptBatchException e) {
            throw new IllegalStateException(e);
        }
        return result.build();
    }

    @Override
    public void initProducerId(InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> out) {
        initProducerIdRequests.incrementAndGet();
        InitProducerIdResponse.Builder response = InitProducerIdResponse.newBuilder();
        ErrorCode injected;
        synchronized (this) {
            injected = initProducerIdFailures.poll();
        }
        if (injected != null) {
            response.setError(error(injected, "injected " + injected))
                    .setProducerId(-1)
                    .setProducerEpoch(-1);
        } else {
            response.setProducerId(cluster.nextProducerId()).setProducerEpoch(0);
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> out) {
        MetadataResponse.Builder response = MetadataResponse.newBuilder()
                .addAllBrokers(cluster.registrations())
                .setControllerId(100);
        List<String> names = request.getTopicsCount() == 0 ? cluster.topicNames() : request.getTopicsList();
        for (String name : names) {
            TopicMetadata.Builder tm = TopicMetadata.newBuilder().setName(name);
            if (!cluster.hasTopic(name)) {
                tm.setError(error(ErrorCode.UNKNOWN_TOPIC, "topic " + name + " does not exist"));
            } else {
                tm.setTopicId(cluster.topic(name).getTopicId()).addAllPartitions(cluster.partitions(name));
            }
            response.addTopics(tm);
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> out) {
        CreateTopicResponse.Builder response = CreateTopicResponse.newBuilder();
        String name = request.getName();
        idempotencyKeys.add(request.getIdempotencyKey());
        ErrorCode injected = adminFailure();
        if (injected != null) {
            response.setError(error(injected, "injected " + injected));
        } else if (!name.matches("[a-zA-Z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
            response.setError(error(ErrorCode.INVALID_TOPIC, "topic name '" + name + "' is invalid"));
        } else if (cluster.hasTopic(name)) {
            response.setError(error(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + name + " already exists"));
        } else if (request.getPartitionCount() <= 0) {
            response.setError(error(ErrorCode.INVALID_PARTITIONS, "partition count must be positive"));
        } else if (request.getReplicationFactor() > cluster.registrations().size()) {
            response.setError(error(
                    ErrorCode.INVALID_REPLICATION_FACTOR,
                    "replication factor " + request.getReplicationFactor() + " is larger than the number of brokers"));
        } else {
            cluster.createTopic(name, request.getPartitionCount());
            response.setError(error(ErrorCode.NONE, ""))
                    .setTopic(cluster.topic(name).toBuilder().putAllConfigs(request.getConfigsMap()))
                    .addAllPartitions(cluster.partitions(name));
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> out) {
        DeleteTopicResponse.Builder response = DeleteTopicResponse.newBuilder();
        idempotencyKeys.add(request.getIdempotencyKey());
        ErrorCode injected = adminFailure();
        if (injected != null) {
            response.setError(error(injected, "injected " + injected));
        } else if (!cluster.hasTopic(request.getName())) {
            response.setError(error(ErrorCode.UNKNOWN_TOPIC, "topic " + request.getName() + " does not exist"));
        } else {
            cluster.deleteTopic(request.getName());
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> out) {
        DescribeTopicsResponse.Builder response =
                DescribeTopicsResponse.newBuilder().setMetadataVersion(7);
        List<String> names = request.getNamesCount() == 0 ? cluster.topicNames() : request.getNamesList();
        for (String name : names) {
            TopicDescription.Builder d = TopicDescription.newBuilder().setName(name);
            if (!cluster.hasTopic(name)) {
                d.setError(error(ErrorCode.UNKNOWN_TOPIC, "topic " + name + " does not exist"));
            } else {
                d.setTopic(cluster.topic(name)).addAllPartitions(cluster.partitions(name));
            }
            response.addTopics(d);
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> out) {
        out.onNext(DescribeClusterResponse.newBuilder()
                .setControllerLeaderId(100)
                .addAllBrokers(cluster.registrations())
                .setMetadataVersion(7)
                .setAnsweringNodeId(id)
                .build());
        out.onCompleted();
    }

    void close() {
        server.shutdownNow();
        delays.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
