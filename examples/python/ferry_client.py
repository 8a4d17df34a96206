"""What every Ferry client in Python needs: message classes generated at run time from the repository's
.proto files (no copies, nothing generated checked in), the calls of the two services, and a failed call
taken apart into the Ferry error it carries.

Debian's python3-grpcio has no code generator for services (python3-grpc-tools is too old for proto3
`optional` fields), so protoc generates the messages and the calls below name their methods themselves.
"""

import atexit
import importlib
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import grpc

PROTO_DIR = pathlib.Path(__file__).resolve().parent.parent.parent / "proto" / "src" / "main" / "proto"

# The two messages of grpc-status-details-bin as Google publishes them (google/rpc/status.proto and
# error_details.proto), only the fields Ferry sets, in a package of their own so that they never clash
# with an installed googleapis-common-protos. Same field numbers, so the same bytes.
RPC_STATUS_PROTO = """
syntax = "proto3";
package ferry_example.rpc;
message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
"""


def _generate():
    out = pathlib.Path(tempfile.mkdtemp(prefix="ferry-example-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    (out / "ferry_example").mkdir()
    (out / "ferry_example" / "rpc_status.proto").write_text(RPC_STATUS_PROTO)
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in (PROTO_DIR / "ferry" / "v1").glob("*.proto"))
    subprocess.run(
        ["protoc", f"-I{PROTO_DIR}", f"-I{out}", f"--python_out={out}", "ferry_example/rpc_status.proto", *protos],
        check=True,
    )
    sys.path.insert(0, str(out))


_generate()
broker_pb2 = importlib.import_module("ferry.v1.broker_pb2")
controller_pb2 = importlib.import_module("ferry.v1.controller_pb2")
errors_pb2 = importlib.import_module("ferry.v1.errors_pb2")
records_pb2 = importlib.import_module("ferry.v1.records_pb2")
rpc_status_pb2 = importlib.import_module("ferry_example.rpc_status_pb2")


def retriable(error_code):
    """Whether a client may retry a request that failed with this ErrorCode (errors.proto marks each one)."""
    options = errors_pb2.ErrorCode.DESCRIPTOR.values_by_number[error_code].GetOptions()
    return options.Extensions[errors_pb2.retriable]


class Ferry:
    """RecordService and BrokerService on one channel to a broker (host:port), in plaintext."""

    def __init__(self, address):
        self.channel = grpc.insecure_channel(address)

        def method(kind, name, request, response):
            return getattr(self.channel, kind)(
                f"/ferry.v1.{name}",
                request_serializer=request.SerializeToString,
                response_deserializer=response.FromString,
            )

        # RecordService: plain records.
        self.publish = method("unary_unary", "RecordService/Publish", records_pb2.PublishRequest, records_pb2.PublishResponse)
        self.publish_stream = method(
            "stream_stream", "RecordService/PublishStream", records_pb2.PublishRequest, records_pb2.PublishResponse
        )
        self.subscribe = method(
            "stream_stream", "RecordService/Subscribe", records_pb2.SubscribeRequest, records_pb2.SubscribeResponse
        )
        # BrokerService: admin calls, and the batch API.
        self.create_topic = method(
            "unary_unary", "BrokerService/CreateTopic", controller_pb2.CreateTopicRequest, controller_pb2.CreateTopicResponse
        )
        self.produce = method("unary_unary", "BrokerService/Produce", broker_pb2.ProduceRequest, broker_pb2.ProduceResponse)
        self.fetch = method("unary_unary", "BrokerService/Fetch", broker_pb2.FetchRequest, broker_pb2.FetchResponse)

    def close(self):
        self.channel.close()


class FerryError:
    """A failed call as a client acts on it: status, the ErrorInfo in the status details, the trailers."""

    def __init__(self, rpc_error):
        self.code = rpc_error.code()
        self.message = rpc_error.details()
        trailers = dict(rpc_error.trailing_metadata() or ())
        self.error_info = None  # None when the failure did not come from Ferry (e.g. connection refused)
        details = trailers.get("grpc-status-details-bin")
        if details:
            status = rpc_status_pb2.Status.FromString(details)
            for any_detail in status.details:
                if any_detail.type_url.endswith("/google.rpc.ErrorInfo"):
                    self.error_info = rpc_status_pb2.ErrorInfo.FromString(any_detail.value)
        self.trailers = {k: trailers.get(k) for k in ("ferry-error-code", "ferry-error-name")}
        # UNAVAILABLE is retriable by definition; Ferry also marks e.g. UNKNOWN_TOPIC (NOT_FOUND) retriable,
        # because a topic just created reaches every broker a moment later.
        self.retriable = self.code == grpc.StatusCode.UNAVAILABLE or (
            self.error_info is not None and self.error_info.metadata.get("retriable") == "true"
        )


class RetriableError(Exception):
    """A typed error (the batch API's Error) that errors.proto marks retriable."""


def with_retries(what, deadline, attempt):
    """Runs attempt() until it succeeds, retrying (with a growing pause) while it fails with a retriable
    error and the deadline (time.monotonic()) has not passed. A non-retriable error is raised at once."""
    pause = 0.1
    while True:
        try:
            return attempt()
        except (grpc.RpcError, RetriableError) as e:
            can_retry = isinstance(e, RetriableError) or FerryError(e).retriable
            if not can_retry or time.monotonic() + pause >= deadline:
                raise
            print(f"{what}: retriable error ({describe(e)}), retrying in {pause:.1f} s", flush=True)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def run(main):
    """Runs a script's main(): exit status 0 when it returns, 1 with the reason when a call or a check fails."""
    try:
        main()
    except (grpc.RpcError, RuntimeError) as e:
        print(f"failed: {describe(e)}", file=sys.stderr)
        sys.exit(1)


def describe(e):
    return f"{e.code().name}: {e.details()}" if isinstance(e, grpc.RpcError) else str(e)


def ensure_topic(ferry, topic, partitions, deadline):
    """CreateTopic through the broker (it forwards to the controllers); an existing topic is fine."""

    def attempt():
        response = ferry.create_topic(
            controller_pb2.CreateTopicRequest(name=topic, partition_count=partitions),
            timeout=max(deadline - time.monotonic(), 0.1),
        )
        # The batch API answers with a typed Error in the response rather than a failed status.
        if response.error.code != errors_pb2.NONE and retriable(response.error.code):
            raise RetriableError(f"{errors_pb2.ErrorCode.Name(response.error.code)}: {response.error.message}")
        return response

    response = with_retries("CreateTopic", deadline, attempt)
    if response.error.code == errors_pb2.NONE:
        print(f"created topic {topic} with {len(response.partitions)} partition(s)", flush=True)
    elif response.error.code == errors_pb2.TOPIC_ALREADY_EXISTS:
        print(f"topic {topic} exists", flush=True)
    else:
        raise RuntimeError(
            f"CreateTopic {topic}: {errors_pb2.ErrorCode.Name(response.error.code)}: {response.error.message}"
        )
