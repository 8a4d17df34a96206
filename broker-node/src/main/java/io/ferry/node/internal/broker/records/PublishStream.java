package io.ferry.node.internal.broker.records;

import io.ferry.node.internal.broker.stream.FlowControlledStream;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.PublishResponse;
import io.grpc.stub.StreamObserver;

/**
 * A publisher's PublishStream: a {@link FlowControlledStream} whose responses carry the request's request_id.
 * An acks=NONE request is answered with nothing; a refused one, even before its acks could be read (bytes that
 * do not parse), with {@code PublishResponse.error}, so the publisher learns why. Stateless.
 */
final class PublishStream implements FlowControlledStream.Requests<ReceivedPublish> {

    private PublishStream() {}

    static FlowControlledStream<ReceivedPublish, PublishResponse> open(
            StreamObserver<PublishResponse> responses,
            FlowControlledStream.Handler<ReceivedPublish, PublishResponse> handler) {
        return new FlowControlledStream<>(responses, new PublishStream(), handler);
    }

    @Override
    public boolean answered(ReceivedPublish request) {
        return request.request() == null || request.request().getAcks() != Acks.ACKS_NONE;
    }

    @Override
    public long id(ReceivedPublish request) {
        return request.requestId();
    }

    @Override
    public void dropped(ReceivedPublish request) {
        // Held on the heap only: nothing to give back.
    }
}
