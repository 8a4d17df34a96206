package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.internal.broker.FakeServerCall;
import io.ferry.node.internal.broker.stream.FlowControlledStream;
import io.ferry.node.internal.broker.wire.OffHeapProduceRequest;
import io.ferry.proto.v1.Acks;
import io.ferry.proto.v1.ProduceRequest;
import io.ferry.proto.v1.ProduceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Manual flow control on a produce stream: bounded in-flight requests, credit only as responses complete. */
class ProduceStreamTest {

    private final FakeServerCall<ProduceResponse> call = new FakeServerCall<>();
    private final List<Consumer<ProduceResponse>> pending = new ArrayList<>();
    private final FlowControlledStream<OffHeapProduceRequest, ProduceResponse> stream =
            ProduceStream.open(call, (request, respond) -> pending.add(respond));

    @AfterEach
    void noErrorEndedTheCall() {
        assertNull(call.error);
    }

    private static OffHeapProduceRequest request(long id, Acks acks) {
        return new OffHeapProduceRequest(
                ProduceRequest.newBuilder().setCorrelationId(id).setAcks(acks).build(), List.of(), () -> {});
    }

    private void complete(int index, long id) {
        pending.get(index)
                .accept(ProduceResponse.newBuilder().setCorrelationId(id).build());
    }

    @Test
    void requestsMoreOnlyAsResponsesCompleteAndTheClientCanTakeThem() {
        assertTrue(call.autoRequestDisabled);
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT, call.requested);
        for (int i = 0; i < FlowControlledStream.MAX_IN_FLIGHT; i++) {
            stream.onNext(request(i, Acks.ACKS_ALL));
        }
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT, call.requested, "no new credit while all are in flight");

        complete(5, 5);
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT + 1, call.requested);
        assertEquals(5, call.sent().get(0).getCorrelationId(), "out of order completion is answered at once");

        call.ready = false;
        complete(6, 6);
        complete(7, 7);
        assertEquals(
                FlowControlledStream.MAX_IN_FLIGHT + 1, call.requested, "a client not reading gets no more credit");
        call.ready = true;
        call.onReady.run();
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT + 3, call.requested);
    }

    @Test
    void aRequestArrivingAfterTheStreamFailedIsReleasedUnhandled() {
        stream.onError(new RuntimeException("client went away"));
        int[] released = {0};
        stream.onNext(new OffHeapProduceRequest(ProduceRequest.getDefaultInstance(), List.of(), () -> released[0]++));

        assertEquals(1, released[0]);
        assertEquals(List.of(), pending);
    }

    @Test
    void aCancelledStreamDropsTheAnswersStillInFlightAndGrantsNoMoreCredit() {
        stream.onNext(request(1, Acks.ACKS_ALL));
        call.onCancel.run();
        complete(0, 1);

        assertEquals(List.of(), call.sent());
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT, call.requested);
        int[] released = {0};
        stream.onNext(new OffHeapProduceRequest(ProduceRequest.getDefaultInstance(), List.of(), () -> released[0]++));
        assertEquals(1, released[0], "a request after the cancel is given back unhandled");
    }

    @Test
    void acksNoneIsNotAnsweredButFreesItsSlot() {
        stream.onNext(request(1, Acks.ACKS_NONE));
        complete(0, 1);
        assertEquals(List.of(), call.sent());
        assertEquals(FlowControlledStream.MAX_IN_FLIGHT + 1, call.requested);
    }

    @Test
    void theStreamEndsOnlyAfterEveryRequestWasAnswered() {
        stream.onNext(request(1, Acks.ACKS_ALL));
        stream.onNext(request(2, Acks.ACKS_LEADER));
        stream.onCompleted();
        complete(1, 2);
        assertFalse(call.completed);
        complete(0, 1);
        assertTrue(call.completed);
        assertEquals(2, call.sent().size());
    }
}
