"""Ferry's batch API from Python, the fast path: encode a Kafka RecordBatch v2 by hand (varints, CRC-32C, no
compression), append it with BrokerService Produce to the partition's leader, and read it back with Fetch.
The broker stores and serves these bytes as they are: no per-record work on its side. Exits 0 when the
records came back, 1 otherwise.

    /usr/bin/python3 batch.py [host:port] [topic]    (default 127.0.0.1:9092; the topic gets 1 partition)

Produce and Fetch must reach the partition's leader: this script starts at the broker it is given and
follows the leader hint of a NOT_LEADER error (a client with many partitions asks BrokerService Metadata
for every leader up front instead).
"""

import struct
import sys
import time
import uuid

import grpc

from ferry_client import Ferry, RetriableError, broker_pb2, ensure_topic, errors_pb2, retriable, run, with_retries

TIMEOUT_SECONDS = 60
PARTITION = 0
RUN = uuid.uuid4().hex[:8]
# Kafka's RecordBatch v2: the fixed header (61 bytes) before the records. CRC-32C covers attributes..end.
HEADER = struct.Struct(">qiibIhiqqqhii")
CRC_START = 21  # base offset (8) + batch length (4) + partition leader epoch (4) + magic (1) + crc (4)
LENGTH_START = 12  # batch length counts from the partition leader epoch on


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1  # Castagnoli polynomial, reflected
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC32C_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def varint(n):
    """A signed integer as Kafka's varint/varlong: zigzag, then 7 bits per byte, low bits first."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def read_varint(data, pos):
    """(value, next position) of the varint at data[pos]."""
    z, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (z >> 1) ^ -(z & 1), pos


def sized(b):
    """A nullable byte field: its length as a varint (-1 for null), then the bytes."""
    return varint(-1) if b is None else varint(len(b)) + b


def encode_batch(records, timestamp_ms):
    """One uncompressed batch of (key, value, headers) records, all with the same CreateTime. The base offset
    and partition leader epoch are left 0 and -1: the leader assigns both (the CRC does not cover them)."""
    body = bytearray()
    for offset_delta, (key, value, headers) in enumerate(records):
        record = bytearray()
        record += b"\x00"  # attributes: unused
        record += varint(0)  # timestamp delta from the batch's base timestamp
        record += varint(offset_delta)
        record += sized(key) + sized(value)
        record += varint(len(headers))
        for header_key, header_value in headers:
            record += sized(header_key.encode()) + sized(header_value)
        body += varint(len(record)) + record
    attributes = 0  # compression none, CreateTime, not transactional, not control
    no_producer = (-1, -1, -1)  # producer id, epoch, base sequence: not an idempotent producer
    header = HEADER.pack(
        0, 0, -1, 2, 0, attributes, len(records) - 1, timestamp_ms, timestamp_ms, *no_producer, len(records)
    )
    batch = bytearray(header) + body
    struct.pack_into(">i", batch, 8, len(batch) - LENGTH_START)
    struct.pack_into(">I", batch, 17, crc32c(batch[CRC_START:]))
    return bytes(batch)


def decode_batches(data):
    """Yields (offset, timestamp, key, value, headers) of every record in back-to-back batches, checking each
    batch's CRC. A batch cut short at the end of a fetch response is skipped, as Kafka's consumer does."""
    pos = 0
    while pos + HEADER.size <= len(data):
        (base_offset, length, _, magic, crc, attributes, _, base_ts, _, _, _, _, count) = HEADER.unpack_from(data, pos)
        end = pos + LENGTH_START + length
        if end > len(data):
            return
        if magic != 2 or crc32c(data[pos + CRC_START : end]) != crc:
            raise RuntimeError(f"batch at offset {base_offset}: magic {magic} or CRC does not match")
        if attributes & 0x7:
            raise RuntimeError(f"batch at offset {base_offset} is compressed (codec {attributes & 0x7}); not decoded here")
        p = pos + HEADER.size
        for _ in range(count):
            _, p = read_varint(data, p)  # record length
            p += 1  # attributes
            ts_delta, p = read_varint(data, p)
            offset_delta, p = read_varint(data, p)
            key, p = read_sized(data, p)
            value, p = read_sized(data, p)
            header_count, p = read_varint(data, p)
            headers = []
            for _ in range(header_count):
                header_key, p = read_sized(data, p)
                header_value, p = read_sized(data, p)
                headers.append((header_key.decode(), header_value))
            yield base_offset + offset_delta, base_ts + ts_delta, key, value, headers
        pos = end


def read_sized(data, pos):
    n, pos = read_varint(data, pos)
    return (None, pos) if n < 0 else (bytes(data[pos : pos + n]), pos + n)


class PartitionLeader:
    """The channel to the broker that leads the partition, as far as this client knows: Produce and Fetch
    must go there. Starts at the bootstrap broker and follows NOT_LEADER's leader hint."""

    def __init__(self, bootstrap):
        self.ferry = bootstrap
        self._own = None  # a channel this object opened, closed when it moves on

    def follow(self, hint):
        """Moves to the hinted leader; False when the hint names no endpoint."""
        if hint.leader_id < 0 or not hint.endpoint.host:
            return False
        address = f"{hint.endpoint.host}:{hint.endpoint.port}"
        print(f"partition {PARTITION} is led by broker {hint.leader_id} at {address}: going there", flush=True)
        self.close()
        self.ferry = self._own = Ferry(address)
        return True

    def close(self):
        if self._own is not None:
            self._own.close()
            self._own = None


def produce(leader, topic, batch, deadline):
    """Produce with acks=all; returns the base offset the leader gave the batch."""

    def attempt():
        response = leader.ferry.produce(
            broker_pb2.ProduceRequest(
                acks=broker_pb2.ACKS_ALL,
                topics=[
                    broker_pb2.TopicProduceData(
                        topic=topic, partitions=[broker_pb2.PartitionProduceData(partition=PARTITION, records=batch)]
                    )
                ],
            ),
            timeout=max(deadline - time.monotonic(), 0.1),
        )
        result = response.topics[0].partitions[0]
        if result.error.code != errors_pb2.NONE:
            message = f"{errors_pb2.ErrorCode.Name(result.error.code)}: {result.error.message}"
            if result.error.code == errors_pb2.NOT_LEADER and leader.follow(result.leader):
                raise RetriableError(message)
            # The batch API answers per partition with a typed Error; errors.proto says which are retriable.
            if retriable(result.error.code):
                raise RetriableError(message)
            raise RuntimeError(f"Produce refused: {message}")
        return result.base_offset

    return with_retries("Produce", deadline, attempt)


def fetch_from(leader, topic, offset, count, deadline):
    """Fetches from the leader, from `offset` until `count` records at or after it have arrived."""
    found = []
    while len(found) < count:
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Fetch: {len(found)} of {count} record(s) read before the timeout")
        response = leader.ferry.fetch(
            broker_pb2.FetchRequest(
                max_wait_ms=500,  # long-poll: answered when min_bytes are there or after this
                min_bytes=1,
                # 0 would take the broker's fetch.max.bytes (16 MiB), over gRPC clients' default 4 MiB receive limit.
                max_bytes=1 << 20,
                topics=[
                    broker_pb2.FetchTopic(
                        topic=topic,
                        partitions=[
                            broker_pb2.FetchPartition(
                                partition=PARTITION, fetch_offset=offset, current_leader_epoch=-1
                            )
                        ],
                    )
                ],
            ),
            timeout=max(deadline - time.monotonic(), 0.1),
        )
        result = response.topics[0].partitions[0]
        if result.error.code != errors_pb2.NONE:
            raise RuntimeError(f"Fetch: {errors_pb2.ErrorCode.Name(result.error.code)}: {result.error.message}")
        # Whole batches come back: the first may start before `offset`, and records below it are skipped.
        for record in decode_batches(result.records):
            if record[0] >= offset and len(found) < count:
                found.append(record)
        if found:
            offset = found[-1][0] + 1
    return found


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:9092"
    topic = sys.argv[2] if len(sys.argv) > 2 else "examples-python-batch"
    deadline = time.monotonic() + TIMEOUT_SECONDS
    ferry = Ferry(address)
    leader = PartitionLeader(ferry)
    try:
        print(f"connecting to {address}, topic {topic}, run {RUN}", flush=True)
        ensure_topic(ferry, topic, 1, deadline)
        records = [
            (f"key-{i}".encode(), f"{RUN}-batch-{i}".encode(), [("source", b"examples/python/batch.py")])
            for i in range(3)
        ]
        batch = encode_batch(records, int(time.time() * 1000))
        print(f"encoded a RecordBatch v2 of {len(records)} record(s), {len(batch)} bytes, CRC-32C {crc32c(batch[CRC_START:]):08x}")
        base_offset = produce(leader, topic, batch, deadline)
        print(f"Produce ACKS_ALL: partition {PARTITION}, base offset {base_offset}", flush=True)
        for offset, timestamp, key, value, headers in fetch_from(leader, topic, base_offset, len(records), deadline):
            print(f"Fetch: offset {offset} timestamp {timestamp} key {key.decode()} value {value.decode()} headers {headers}")
            if value != records[offset - base_offset][1]:
                raise RuntimeError(f"offset {offset} holds {value!r}, not what was produced there")
        print(f"read back all {len(records)} record(s) of the batch", flush=True)
    finally:
        leader.close()
        ferry.close()


if __name__ == "__main__":
    run(main)
