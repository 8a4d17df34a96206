#!/usr/bin/env python3
"""Per-stage breakdown of the e2e acks=all latency (issue 19).

    benchmarks/latency/breakdown.py <topic> <probe.tsv> <node.jfr>...

<probe.tsv> is FerryE2eLatency's -Dferry.e2e.trace output (offset, System.nanoTime() at send, ack and
read-back of each record); each <node.jfr> a broker's recording of replication's LatencyStage events
(benchmarks/latency/latency-trace.jfc). Every timestamp is CLOCK_MONOTONIC of this machine, so the
client's and the three brokers' marks line up. For each record it follows the path through the
follower whose fetch advanced the high watermark (the later of the two) and prints, per hop, the
median and p99 of the time spent there, in milliseconds. `LATENCY_TRACE=1 CASES=e2e-acksall
bin/bench-replicated` runs it.
"""
import bisect
import json
import statistics
import subprocess
import sys

LEADER_STAGES = ["PRODUCE_RECEIVED", "LEADER_APPENDED", "HIGH_WATERMARK_ADVANCED", "PRODUCE_ANSWERED",
                 "CONSUMER_FETCH_ANSWERED"]
FOLLOWER_STAGES = ["FOLLOWER_ANSWERED", "FOLLOWER_RECEIVED", "FOLLOWER_APPENDED", "FOLLOWER_FETCH_SENT",
                   "LEADER_FOLLOWER_FETCHED"]
# (from, to, what the time between them is)
HOPS = [
    ("send", "PRODUCE_RECEIVED", "client send() -> leader's produce handler (client threads, network, gRPC executor)"),
    ("PRODUCE_RECEIVED", "LEADER_APPENDED", "leader: handler -> appended"),
    ("LEADER_APPENDED", "FOLLOWER_ANSWERED", "leader: appended -> waiting follower fetch answered"),
    ("FOLLOWER_ANSWERED", "FOLLOWER_RECEIVED", "answer -> follower's transport thread (network)"),
    ("FOLLOWER_RECEIVED", "FOLLOWER_APPENDED", "follower: hand-off to its fetcher + append"),
    ("FOLLOWER_APPENDED", "FOLLOWER_FETCH_SENT", "follower: appended -> next fetch sent"),
    ("FOLLOWER_FETCH_SENT", "LEADER_FOLLOWER_FETCHED", "next fetch -> leader's handler (network, gRPC executor)"),
    ("LEADER_FOLLOWER_FETCHED", "HIGH_WATERMARK_ADVANCED", "leader: follower position -> high watermark"),
    ("HIGH_WATERMARK_ADVANCED", "PRODUCE_ANSWERED", "leader: high watermark -> produce answered"),
    ("PRODUCE_ANSWERED", "ack", "produce answer -> send().get() returns (network, client threads)"),
    ("ack", "CONSUMER_FETCH_ANSWERED", "ack -> leader answers the consumer's fetch with the record"),
    ("CONSUMER_FETCH_ANSWERED", "read", "fetch answer -> poll() returns the record (network, client)"),
]


class Marks:
    """The earliest time a stage reached an offset at or above a given one."""

    def __init__(self):
        self.offsets, self.times = [], []

    def add(self, offset, nanos):
        self.offsets.append(offset)
        self.times.append(nanos)

    def seal(self):
        pairs = sorted(zip(self.offsets, self.times))
        self.offsets = [o for o, _ in pairs]
        self.times = [t for _, t in pairs]

    def first_at(self, offset, not_before):
        # The earliest mark at or just above the offset that is not older than the record's send (a stage
        # repeats an offset, e.g. a follower's fetch re-sent after its long-poll ended; the nearest offsets suffice).
        i = bisect.bisect_left(self.offsets, offset)
        best = None
        for j in range(i, min(len(self.offsets), i + 64)):
            t = self.times[j]
            if t >= not_before and (best is None or t < best):
                best = t
        return best


def read_events(files, topic):
    marks = {}
    for f in files:
        out = subprocess.run(["jfr", "print", "--json", "--events", "io.ferry.LatencyStage", f],
                             check=True, capture_output=True, text=True).stdout
        for e in json.loads(out)["recording"]["events"]:
            v = e["values"]
            if v["topic"] != topic:
                continue
            key = (v["stage"],) if v["stage"] in LEADER_STAGES else (v["stage"], v["replica"])
            marks.setdefault(key, Marks()).add(v["offset"], v["nanos"])
    for m in marks.values():
        m.seal()
    return marks


def main(topic, probe, files):
    marks = read_events(files, topic)
    replicas = sorted({k[1] for k in marks if len(k) == 2})
    deltas = {h: [] for h in HOPS}
    traced = 0
    with open(probe) as f:
        next(f)
        rows = [tuple(int(x) for x in line.split("\t")) for line in f if line.strip()]
    for offset, send, ack, read in rows:
        t = {"send": send, "ack": ack, "read": read}
        for s in LEADER_STAGES:
            m = marks.get((s,))
            t[s] = m.first_at(offset, send) if m else None
        gate, gate_time = None, None
        for r in replicas:
            m = marks.get(("LEADER_FOLLOWER_FETCHED", r))
            x = m.first_at(offset, send) if m else None
            if x is not None and (gate_time is None or x > gate_time):
                gate, gate_time = r, x
        if gate is None:
            continue
        for s in FOLLOWER_STAGES:
            m = marks.get((s, gate))
            t[s] = m.first_at(offset, send) if m else None
        if any(v is None for v in t.values()):
            continue
        traced += 1
        for h in HOPS:
            deltas[h].append((t[h[1]] - t[h[0]]) / 1e6)
    e2e = sorted((read - send) / 1e6 for _, send, _, read in rows)
    print(f"{traced} of {len(rows)} records traced through every stage; e2e p50 {pct(e2e, 0.5):.3f} ms,"
          f" p99 {pct(e2e, 0.99):.3f} ms (with the marks on)")
    print(f"{'hop':<88} {'p50 ms':>8} {'p99 ms':>8}")
    for h in HOPS:
        d = sorted(deltas[h])
        if d:
            print(f"{h[2]:<88} {pct(d, 0.5):8.3f} {pct(d, 0.99):8.3f}")
    sums = sum(statistics.median(deltas[h]) for h in HOPS if deltas[h])
    print(f"{'sum of the medians':<88} {sums:8.3f}")


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
