package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.ConsumerGroupHeartbeatRequest;
import io.ferry.proto.v1.ConsumerGroupHeartbeatResponse;
import io.ferry.proto.v1.OffsetCommitRequest;
import io.ferry.proto.v1.OffsetCommitResponse;
import io.ferry.proto.v1.OffsetFetchRequest;
import io.ferry.proto.v1.OffsetFetchResponse;
import java.util.concurrent.CompletableFuture;

/** The calls a group stream's member makes to its group's coordinator ({@link CoordinatorCalls}). */
interface Coordinator {

    CompletableFuture<ConsumerGroupHeartbeatResponse> heartbeat(ConsumerGroupHeartbeatRequest request);

    CompletableFuture<OffsetCommitResponse> commit(OffsetCommitRequest request);

    CompletableFuture<OffsetFetchResponse> committed(OffsetFetchRequest request);
}
