package io.ferry.node.internal.broker.handler;

import io.ferry.node.internal.broker.stream.FlowControlledStream;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ProduceResponse;
import io.grpc.stub.StreamObserver;

/**
 * A producer's ProduceStream: a {@link FlowControlledStream} whose responses carry the request's correlation id;
 * acks=NONE requests are answered with nothing, and a request arriving after the stream ended gives its buffer
 * back at once. Stateless.
 */
final class ProduceStream implements FlowControlledStream.Requests<OffHeapProduceRequest> {

    private ProduceStream() {}

    static FlowControlledStream<OffHeapProduceRequest, ProduceResponse> open(
            StreamObserver<ProduceResponse> responses,
            FlowControlledStream.Handler<OffHeapProduceRequest, ProduceResponse> handler) {
        return new FlowControlledStream<>(responses, new ProduceStream(), handler);
    }

    @Override
    public boolean answered(OffHeapProduceRequest request) {
        return request.request().getAcks() != Acks.ACKS_NONE;
    }

    @Override
    public long id(OffHeapProduceRequest request) {
        return request.request().getCorrelationId();
    }

    @Override
    public void dropped(OffHeapProduceRequest request) {
        request.release();
    }
}
