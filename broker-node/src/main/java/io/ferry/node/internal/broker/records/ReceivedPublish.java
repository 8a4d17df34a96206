package io.ferry.node.internal.broker.records;

import io.ferry.proto.v1.PublishRequest;
import io.ferry.proto.v1.RecordError;

/**
 * A {@code PublishRequest} as {@link PublishRequestMarshaller} received it: the parsed request, or, when its
 * bytes do not parse (a string that is not UTF-8), the refusal naming the field, with the request id read from
 * the bytes so that a stream can still answer it.
 *
 * @param request     the request; null when refused
 * @param requestId   the request's {@code request_id}
 * @param refused     null when the request parsed
 * @param sizeInBytes the message's size as received (what quotas count)
 */
record ReceivedPublish(PublishRequest request, long requestId, RecordError refused, int sizeInBytes) {

    static ReceivedPublish parsed(PublishRequest request, int sizeInBytes) {
        return new ReceivedPublish(request, request.getRequestId(), null, sizeInBytes);
    }

    static ReceivedPublish refused(long requestId, RecordError refused, int sizeInBytes) {
        return new ReceivedPublish(null, requestId, refused, sizeInBytes);
    }
}
