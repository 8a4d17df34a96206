// RecordService from the Java side, with the message shapes a Node or Python client sends (issue 18):
//   publish:   PublishStream, acks=all, numRecords keyless records of recordSize random bytes, recordsPerRequest
//              records per PublishRequest, at most inFlight requests unanswered; sent to the partition's
//              leader ("leader") or to a broker that is not its leader ("other", which forwards);
//   subscribe: one Subscribe stream of partition 0 from EARLIEST until numRecords records have arrived.
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerryRecordApi.java publish <bootstrap> <topic> <numRecords> <recordSize> <recordsPerRequest> <inFlight> <leader|other>
//   java -cp cli/target/ferry-cli.jar benchmarks/peer/FerryRecordApi.java subscribe <bootstrap> <topic> <numRecords>
// The topic must exist with one partition. Prints one RESULT line. Bounded: a 300 s deadline.
import com.google.protobuf.ByteString;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.BrokerServiceGrpc;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.MetadataRequest;
import io.ferry.proto.v1.MetadataResponse;
import io.ferry.proto.v1.PublishRecord;
import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.PublishResponse;
import io.ferry.proto.v1.PublishResult;
import io.ferry.proto.v1.RecordServiceGrpc;
import io.ferry.proto.v1.StartPosition;
import io.ferry.proto.v1.SubscribeRequest;
import io.ferry.proto.v1.SubscribeResponse;
import io.ferry.proto.v1.SubscribeStart;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class FerryRecordApi {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(300);

    public static void main(String[] a) throws Exception {
        String mode = a[0], bootstrap = a[1], topic = a[2];
        long n = Long.parseLong(a[3]);
        String[] first = bootstrap.split(",")[0].split(":");
        ManagedChannel meta = plaintext(first[0], Integer.parseInt(first[1]));
        MetadataResponse view = BrokerServiceGrpc.newBlockingStub(meta)
                .metadata(MetadataRequest.newBuilder().addTopics(topic).build());
        meta.shutdownNow();
        int leader = view.getTopics(0).getPartitions(0).getLeader();
        if (mode.equals("publish")) {
            boolean toLeader = a[7].equals("leader");
            BrokerRegistration target = view.getBrokersList().stream()
                    .filter(b -> (b.getBrokerId() == leader) == toLeader)
                    .findFirst()
                    .orElseThrow();
            publish(channelTo(target), topic, n, Integer.parseInt(a[4]), Integer.parseInt(a[5]), Integer.parseInt(a[6]),
                    target.getBrokerId(), leader);
        } else {
            BrokerRegistration target = view.getBrokersList().stream()
                    .filter(b -> b.getBrokerId() == leader)
                    .findFirst()
                    .orElseThrow();
            subscribe(channelTo(target), topic, n);
        }
    }

    static void publish(ManagedChannel channel, String topic, long n, int size, int perRequest, int inFlight,
            int broker, int leader) throws Exception {
        Random random = new Random(42);
        // A pool of distinct values, so building requests costs no more than a real client's copy.
        ByteString[] values = new ByteString[1024];
        for (int i = 0; i < values.length; i++) {
            byte[] v = new byte[size];
            random.nextBytes(v);
            values[i] = ByteString.copyFrom(v);
        }
        long requests = (n + perRequest - 1) / perRequest;
        long[] latency = new long[(int) requests];
        ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>();
        Semaphore window = new Semaphore(inFlight);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<PublishRequest> stream = RecordServiceGrpc.newStub(channel).publishStream(new StreamObserver<>() {
            @Override
            public void onNext(PublishResponse r) {
                latency[(int) r.getRequestId()] = System.nanoTime() - sentAt.remove(r.getRequestId());
                if (r.hasError()) {
                    failed.addAndGet(1);
                    System.err.println("request " + r.getRequestId() + " refused: " + r.getError());
                } else {
                    for (PublishResult result : r.getResultsList()) {
                        if (result.hasError()) {
                            failed.incrementAndGet();
                        }
                    }
                }
                window.release();
                if (acked.incrementAndGet() == requests) {
                    done.complete(null);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long start = System.nanoTime();
        long sent = 0;
        for (long id = 0; id < requests; id++) {
            if (!window.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("no answer within the deadline after " + id + " requests");
            }
            PublishRequest.Builder request = PublishRequest.newBuilder()
                    .setRequestId(id)
                    .setTopic(topic)
                    .setAcks(Acks.ACKS_ALL);
            for (int i = 0; i < perRequest && sent < n; i++, sent++) {
                request.addRecords(PublishRecord.newBuilder().setValue(values[(int) (sent & 1023)]));
            }
            sentAt.put(id, System.nanoTime());
            stream.onNext(request.build());
        }
        done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        long elapsed = System.nanoTime() - start;
        stream.onCompleted();
        channel.shutdownNow();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records or requests failed");
        }
        Arrays.sort(latency);
        double seconds = elapsed / 1e9;
        System.out.printf(
                "RESULT records=%d rec_s=%.0f MB_s=%.2f request_p50_ms=%.2f request_p99_ms=%.2f records_per_request=%d in_flight=%d broker=%d leader=%d%n",
                n, n / seconds, n * (double) size / seconds / (1 << 20), latency[latency.length / 2] / 1e6,
                latency[(int) (latency.length * 0.99)] / 1e6, perRequest, inFlight, broker, leader);
    }

    static void subscribe(ManagedChannel channel, String topic, long n) throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong firstAt = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> requests = RecordServiceGrpc.newStub(channel).subscribe(new StreamObserver<>() {
            long next = 0;

            @Override
            public void onNext(SubscribeResponse r) {
                firstAt.compareAndSet(0, System.nanoTime());
                for (var record : r.getRecordsList()) {
                    if (record.getOffset() != next) {
                        done.completeExceptionally(new IllegalStateException(
                                "expected offset " + next + ", got " + record.getOffset()));
                    }
                    next++;
                    bytes.addAndGet(record.getValue().size());
                }
                if (received.addAndGet(r.getRecordsCount()) >= n) {
                    done.complete(System.nanoTime());
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.completeExceptionally(new IllegalStateException("the stream ended after " + received + " records"));
            }
        });
        long start = System.nanoTime();
        requests.onNext(SubscribeRequest.newBuilder()
                .setStart(SubscribeStart.newBuilder()
                        .setTopic(topic)
                        .setStart(StartPosition.newBuilder().setBoundary(StartPosition.Boundary.BOUNDARY_EARLIEST)))
                .build());
        long end = done.get(DEADLINE_NANOS, TimeUnit.NANOSECONDS);
        channel.shutdownNow();
        double seconds = (end - start) / 1e9;
        System.out.printf(
                "RESULT records=%d rec_s=%.0f MB_s=%.2f first_response_ms=%.1f%n",
                received.get(), received.get() / seconds, bytes.get() / seconds / (1 << 20),
                (firstAt.get() - start) / 1e6);
    }

    static ManagedChannel channelTo(BrokerRegistration broker) {
        Endpoint e = broker.getEndpoints(0);
        return plaintext(e.getHost(), e.getPort());
    }

    static ManagedChannel plaintext(String host, int port) {
        return ManagedChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(64 << 20).build();
    }
}
