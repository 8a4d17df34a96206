#!/usr/bin/env python3
"""The figures of bin/bench-replicated's sustained case that come from the nodes, not the load program.

    python3 benchmarks/sustained/analyze.py <out-dir> <load-log> <seconds> <stretch-seconds>

Reads, in <out-dir>: sustained-rss.tsv (the script's 10-s samples of each node: VmRSS, RssAnon, RssFile in kB,
the partition's log start offset from the node's /metrics, the base offsets of its segment files) and
sustained-gc-node<i>.log (each node's -Xlog:gc with the timemillis decorator); in <load-log>, the START line of
benchmarks/peer/FerrySustained.java. Prints one line of key=value figures (per-node values joined by "/"):

  resident memory: the median of the samples in the first stretch after a warm-up of one stretch
  ([stretch, 2 stretch) from the start of the load) against the last stretch ([seconds - stretch, seconds]);
  GC: every pause (Pause Young / Remark / Cleanup / Full) from the start of the load on: count, largest, and
  how many exceeded 50 ms, and the largest after the warm-up; retention: each node's log start offset at its last sample, and the segments
  deleted (base offsets seen in any sample but gone from the last one).
Only the standard library, so the row never depends on matplotlib; plot.py imports the parsers.
"""
import re
import statistics
import sys
from pathlib import Path

PAUSE = re.compile(r"\[(\d+)ms\].*GC\(\d+\) (Pause (?:Young|Remark|Cleanup|Full)\b.*?) ([0-9.]+)ms\s*$")
NODES = (1, 2, 3)
GC_LIMIT_MS = 50.0


def start_line(load_log):
    """The program's START line as a dict of ints (epoch_ms, rate, seconds, ...), or None."""
    for line in Path(load_log).read_text(errors="replace").splitlines():
        if line.startswith("START "):
            return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    return None


def load_start_ms(load_log):
    """Epoch milliseconds at which the load began, or None."""
    start = start_line(load_log)
    return start["epoch_ms"] if start else None


def windows(load_log):
    """The program's WINDOW lines, as dicts of floats."""
    rows = []
    for line in Path(load_log).read_text(errors="replace").splitlines():
        if line.startswith("WINDOW "):
            rows.append({k: float(v) for k, v in re.findall(r"(\w+)=(\S+)", line)})
    return rows


def samples(out):
    """{node: [(epoch_ms, rss_mb, anon_mb, file_mb, log_start_offset, [base offsets])]} from sustained-rss.tsv."""
    by_node = {i: [] for i in NODES}
    path = Path(out) / "sustained-rss.tsv"
    if not path.exists():
        return by_node
    for line in path.read_text().splitlines()[1:]:
        f = line.split("\t")
        if len(f) != 7:
            continue  # a line cut short when the sampler stopped
        try:
            t, node, rss, anon, file_kb, lso = int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[5])
        except ValueError:
            continue
        bases = [int(b) for b in f[6].split(",") if b.isdigit()]
        by_node.setdefault(node, []).append((t, rss / 1024, anon / 1024, file_kb / 1024, lso, bases))
    return by_node


def pauses(out, node):
    """[(epoch_ms, kind, pause_ms)] of a node's GC log."""
    path = Path(out) / f"sustained-gc-node{node}.log"
    if not path.exists():
        return []
    found = []
    for line in path.read_text(errors="replace").splitlines():
        m = PAUSE.search(line)
        if m:
            found.append((int(m.group(1)), m.group(2), float(m.group(3))))
    return found


def joined(values, fmt="{:.0f}"):
    return "/".join("-" if v is None else fmt.format(v) for v in values)


def figures(out, load_log, seconds, stretch):
    start = load_start_ms(load_log)
    if start is None:
        return "sustained_figures=none (no START line in the load log)"
    end = start + seconds * 1000
    by_node = samples(out)
    first, last, change, anon_change, lso, deleted, segs = [], [], [], [], [], [], []
    for i in NODES:
        rows = by_node.get(i, [])
        a = [r for r in rows if start + stretch * 1000 <= r[0] < start + 2 * stretch * 1000]
        b = [r for r in rows if end - stretch * 1000 <= r[0] <= end]
        fa = statistics.median(r[1] for r in a) if a else None
        fb = statistics.median(r[1] for r in b) if b else None
        first.append(fa)
        last.append(fb)
        change.append(100 * (fb - fa) / fa if fa and fb is not None else None)
        aa = statistics.median(r[2] for r in a) if a else None
        ab = statistics.median(r[2] for r in b) if b else None
        anon_change.append(100 * (ab - aa) / aa if aa and ab is not None else None)
        lso.append(rows[-1][4] if rows else None)
        seen = set()
        for r in rows:
            seen.update(r[5])
        segs.append(len(rows[-1][5]) if rows else None)
        deleted.append(len(seen - set(rows[-1][5])) if rows else None)
    gc_n, gc_max, gc_over, gc_steady = [], [], [], []
    for i in NODES:
        during = [p for p in pauses(out, i) if p[0] >= start]
        gc_n.append(len(during))
        gc_max.append(max((p[2] for p in during), default=0.0))
        gc_over.append(sum(1 for p in during if p[2] > GC_LIMIT_MS))
        gc_steady.append(max((p[2] for p in during if p[0] >= start + stretch * 1000), default=0.0))
    known = [c for c in change if c is not None]
    kv = [
        f"rss_first_mb={joined(first)}",
        f"rss_last_mb={joined(last)}",
        f"rss_change_pct={joined(change, '{:+.1f}')}",
        f"rss_drift_max_pct={max(abs(c) for c in known):.1f}" if known else "rss_drift_max_pct=-1",
        f"anon_change_pct={joined(anon_change, '{:+.1f}')}",
        f"gc_pauses={joined(gc_n)}",
        f"gc_max_ms={joined(gc_max, '{:.1f}')}",
        f"gc_over50={joined(gc_over)}",
        f"gc_max_after_warmup_ms={joined(gc_steady, '{:.1f}')}",
        f"gc_max_pause_ms={max(gc_max):.1f}",
        f"gc_over50_total={sum(gc_over)}",
        f"log_start_offset={joined(lso)}",
        f"segments_end={joined(segs)}",
        f"segments_deleted={joined(deleted)}",
        f"segments_deleted_min={min((d for d in deleted if d is not None), default=-1)}",
        f"rss_stretch_s={stretch}",
    ]
    return " ".join(kv)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    print(figures(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
