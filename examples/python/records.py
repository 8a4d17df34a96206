"""Ferry's RecordService from Python: create a topic, Publish records with acks 0, 1 and all (unary calls
and one PublishStream), Subscribe from the earliest offset until every record published here has come back,
then show what a failed call carries. Exits 0 when all of that worked, 1 otherwise.

    /usr/bin/python3 records.py [host:port] [topic]    (default 127.0.0.1:9092, the node's default grpc.listener)
"""

import sys
import threading
import time
import uuid

import grpc

from ferry_client import Ferry, FerryError, broker_pb2, ensure_topic, records_pb2, run, with_retries

TIMEOUT_SECONDS = 60
RECORDS_PER_REQUEST = 5
ACKS = {"ACKS_NONE": broker_pb2.ACKS_NONE, "ACKS_LEADER": broker_pb2.ACKS_LEADER, "ACKS_ALL": broker_pb2.ACKS_ALL}
# Values carry this run's id, so that records of earlier runs in the topic are told apart.
RUN = uuid.uuid4().hex[:8]


def remaining(deadline):
    return max(deadline - time.monotonic(), 0.1)


def records(label):
    """Records whose values are <run>-<label>-<i>, keyed so that they spread over the partitions."""
    return [
        records_pb2.PublishRecord(
            key=f"user-{i}".encode(),
            value=f"{RUN}-{label}-{i}".encode(),
            headers=[records_pb2.RecordHeader(key="source", value=b"examples/python")],
        )
        for i in range(RECORDS_PER_REQUEST)
    ]


def print_results(label, acks, response):
    if acks == "ACKS_NONE":
        placed = " ".join(f"p{r.partition}" for r in response.results) + " (acks=0: sent, offsets not known)"
    else:
        placed = " ".join(f"p{r.partition}@{r.offset}" for r in response.results)
    print(f"{label} {acks}: {len(response.results)} record(s) -> {placed}", flush=True)


def publish_unary(ferry, topic, deadline, published):
    """One unary Publish per acks setting. The first may meet the new topic before this broker knows it: retried."""
    for acks, value in ACKS.items():
        request = records_pb2.PublishRequest(topic=topic, acks=value, records=records(f"unary-{acks}"))
        response = with_retries(f"Publish {acks}", deadline, lambda: ferry.publish(request, timeout=remaining(deadline)))
        print_results("Publish", acks, response)
        published.update(r.value.decode() for r in request.records)


def publish_stream(ferry, topic, deadline, published):
    """Three requests in flight on one PublishStream. Responses carry the request_id and may come out of order;
    the ACKS_NONE request gets none. A refused request is answered with `error`, and the stream stays open."""
    requests = [
        records_pb2.PublishRequest(request_id=i, topic=topic, acks=ACKS[acks], records=records(f"stream-{i}"))
        for i, acks in ((1, "ACKS_ALL"), (2, "ACKS_LEADER"), (3, "ACKS_NONE"))
    ]
    awaiting = {r.request_id: r for r in requests if r.acks != broker_pb2.ACKS_NONE}
    all_answered = threading.Event()

    def send():
        yield from requests
        all_answered.wait(remaining(deadline))  # half-close only once every answer is in

    responses = ferry.publish_stream(send(), timeout=remaining(deadline))
    # Read until the server ends the call: it does once the stream is half-closed and every request, the
    # ACKS_NONE one included, has been handled. Cancelling as soon as the answers are in could drop that one.
    for response in responses:
        request = awaiting.pop(response.request_id, None)
        if request is None:
            continue
        if response.HasField("error"):
            responses.cancel()
            raise RuntimeError(
                f"PublishStream request {response.request_id} refused: {response.error.code}: {response.error.message}"
            )
        print_results(f"PublishStream request {response.request_id}", broker_pb2.Acks.Name(request.acks), response)
        if not awaiting:
            all_answered.set()
    if awaiting:
        raise RuntimeError(f"PublishStream ended with {len(awaiting)} request(s) unanswered")
    for request in requests:
        published.update(r.value.decode() for r in request.records)


def subscribe_until_all_read(ferry, topic, deadline, expected):
    """Subscribe to every partition from the earliest offset until each value in `expected` has arrived."""
    missing = set(expected)
    done = threading.Event()

    def send():
        yield records_pb2.SubscribeRequest(
            start=records_pb2.SubscribeStart(
                topic=topic,
                start=records_pb2.StartPosition(boundary=records_pb2.StartPosition.BOUNDARY_EARLIEST),
            )
        )
        done.wait(remaining(deadline))  # Subscribe never ends by itself: keep the stream open until cancelled

    stream = ferry.subscribe(send(), timeout=remaining(deadline))
    try:
        for response in stream:
            for record in response.records:
                value = record.value.decode() if record.HasField("value") else None
                if value not in missing:
                    continue  # an earlier run's record
                missing.remove(value)
                key = record.key.decode() if record.HasField("key") else None
                print(f"Subscribe: partition {record.partition} offset {record.offset} key {key} value {value}", flush=True)
            if not missing:
                return
    except grpc.RpcError as e:
        raise RuntimeError(
            f"Subscribe ended with {len(missing)} of {len(expected)} record(s) not read: {e.code().name}: {e.details()}"
        ) from None
    finally:
        done.set()
        stream.cancel()
    raise RuntimeError(f"Subscribe ended with {len(missing)} of {len(expected)} record(s) not read")


def show_an_error(ferry, deadline):
    """Publishes to a topic that does not exist on purpose, and prints what the failed call carries."""
    missing_topic = f"no-such-topic-{RUN}"
    try:
        ferry.publish(records_pb2.PublishRequest(topic=missing_topic, records=records("error")), timeout=remaining(deadline))
    except grpc.RpcError as e:
        error = FerryError(e)
        print(
            f"Publish to {missing_topic} failed as intended: status {error.code.value[0]} {error.code.name}: {error.message}",
            flush=True,
        )
        if error.error_info is not None:
            info = error.error_info
            print(f"  ErrorInfo: domain {info.domain}, reason {info.reason}, metadata {dict(sorted(info.metadata.items()))}")
        print(f"  trailers: ferry-error-code {error.trailers['ferry-error-code']}, ferry-error-name {error.trailers['ferry-error-name']}")
        print(f"  retriable: {str(error.retriable).lower()}", flush=True)
        if error.trailers["ferry-error-name"] != "UNKNOWN_TOPIC":
            raise RuntimeError(f"expected UNKNOWN_TOPIC, got {e.code().name}: {e.details()}") from None
        return
    raise RuntimeError(f"Publish to {missing_topic} succeeded; expected UNKNOWN_TOPIC")


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:9092"
    topic = sys.argv[2] if len(sys.argv) > 2 else "examples-python"
    deadline = time.monotonic() + TIMEOUT_SECONDS
    ferry = Ferry(address)
    try:
        print(f"connecting to {address}, topic {topic}, run {RUN}", flush=True)
        ensure_topic(ferry, topic, 3, deadline)
        published = set()
        publish_unary(ferry, topic, deadline, published)
        publish_stream(ferry, topic, deadline, published)
        print(f"published {len(published)} record(s); subscribing from the earliest offset", flush=True)
        subscribe_until_all_read(ferry, topic, deadline, published)
        print(f"read back all {len(published)} record(s) published by this run", flush=True)
        show_an_error(ferry, deadline)
    finally:
        ferry.close()


if __name__ == "__main__":
    run(main)
