package io.ferry.node.internal.broker.kafka;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What the listener sends back for one request.
 *
 * @param data    the response body; null for a request Kafka's protocol answers with nothing (Produce with
 *                acks=0)
 * @param written run once the body has been written to the connection, or dropped (the connection ended): the
 *                body's records may be slices of log segments held for it (the fetch memory), which the written
 *                answer reads rather than copies
 */
record Answer(ApiMessage data, Runnable written) {

    static final Answer NONE = new Answer(null, () -> {});

    static Answer of(ApiMessage data) {
        return new Answer(data, () -> {});
    }
}
