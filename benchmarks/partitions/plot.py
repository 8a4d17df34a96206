#!/usr/bin/env python3
"""Cost against partition count, Ferry beside Kafka, from the newest run of bin/bench-replicated's partitions case.

    /usr/bin/python3 benchmarks/partitions/plot.py bench-out/replicated/results.tsv out.png

Reads the rows of the newest "# run" block of results.tsv whose case is partitions-<step>-<count> and draws one
panel per measure (Debian's python3-matplotlib; the script says so when it is missing).
"""
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from plots import newest_run, pyplot as plt, save  # noqa: E402

PANELS = [  # (step, key, title)
    ("create", "create_ms", "create, until every ISR is full (s)"),
    ("produce", "rec_s", "keyed produce, acks=all (records/s)"),
    ("failover", "all_writable_ms", "kill -9 -> every partition writable (s)"),
    ("restart-kill", "full_isr_ms", "restart after kill -9 -> full ISRs (s)"),
    ("resources", "fds_max", "open file descriptors (largest node)"),
    ("resources", "maps_max", "memory mappings (largest node)"),
    ("resources", "rss_mb_max", "resident memory, MB (largest node)"),
    ("restart-clean", "full_isr_ms", "restart after clean stop -> full ISRs (s)"),
]


def main(tsv, png):
    values = {}  # (side, step, key) -> {count: value}
    for side, case, _rep, metrics, *_ in newest_run(tsv):
        m = re.fullmatch(r"partitions-([a-z-]+)-([0-9]+)", case)
        if not m or metrics.startswith("FAILED"):
            continue
        for key, value in re.findall(r"(\w+)=([0-9.]+)(?=\s|$)", metrics):
            values.setdefault((side, m.group(1), key), {})[int(m.group(2))] = float(value)
    if not values:
        sys.exit(f"no partitions rows in the newest run of {tsv}")
    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    for ax, (step, key, title) in zip(axes.flat, PANELS):
        for side, colour in (("ferry", "tab:blue"), ("kafka", "tab:orange")):
            points = sorted(values.get((side, step, key), {}).items())
            if not points:
                continue
            xs = [p for p, _ in points]
            ys = [v / 1000 if key.endswith("_ms") else v for _, v in points]
            ax.plot(xs, ys, marker="o", color=colour, label="Ferry" if side == "ferry" else "Kafka 4.4")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("partitions (RF=3, 3 nodes)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, "Cost against partition count: bin/bench-replicated, CASES=partitions", png)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
