#!/usr/bin/env python3
"""Produce->consume latency percentiles at fixed rates, Ferry beside Kafka, from the newest run of
bin/bench-replicated's latency-paced case.

    /usr/bin/python3 benchmarks/latency/plot.py bench-out/replicated/results.tsv out.png

Reads the rows of the newest "# run" block of results.tsv whose case is latency-<rate> and draws one panel per
rate: each side's e2e latency against the percentile, the median of its repetitions at each percentile
(Debian's python3-matplotlib; the script says so when it is missing).
"""
import re
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from plots import newest_run, pyplot as plt, save  # noqa: E402

# The keys FerryPacedLatency/KafkaPacedLatency print, and the percentile each stands for.
PERCENTILES = [("50", 50), ("75", 75), ("90", 90), ("95", 95), ("99", 99), ("995", 99.5), ("999", 99.9),
               ("9995", 99.95), ("9999", 99.99)]
TICKS = [50, 90, 99, 99.9, 99.99]
Y_TICKS = [0.5, 1, 2, 5, 10, 20, 50, 100]  # ms, on a log axis


def position(percentile):
    """Where a percentile goes on the x axis: 1/(1-p), so that 90, 99, 99.9 and 99.99 are evenly apart."""
    return 1 / (1 - percentile / 100)


def main(tsv, png):
    runs = {}  # (rate, side) -> [{key: ms}]
    for side, case, _rep, metrics, *_ in newest_run(tsv):
        m = re.fullmatch(r"latency-([0-9]+)", case)
        if m and not metrics.startswith("FAILED"):
            runs.setdefault((int(m.group(1)), side), []).append(dict(re.findall(r"(\w+)=([0-9.]+)(?=\s|$)", metrics)))
    if not runs:
        sys.exit(f"no latency-<rate> rows in the newest run of {tsv}")
    rates = sorted({rate for rate, _ in runs})
    fig, axes = plt.subplots(1, len(rates), figsize=(6.5 * len(rates), 4.8), squeeze=False)
    for ax, rate in zip(axes.flat, rates):
        for side, colour in (("ferry", "tab:blue"), ("kafka", "tab:orange")):
            reps = runs.get((rate, side), [])
            points = [(position(p), statistics.median(float(r[f"e2e_p{key}_ms"]) for r in reps))
                      for key, p in PERCENTILES if reps and all(f"e2e_p{key}_ms" in r for r in reps)]
            if points:
                ax.plot(*zip(*points), marker="o", color=colour,
                        label=f"{'Ferry' if side == 'ferry' else 'Kafka 4.4'} (median of {len(reps)})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks([position(p) for p in TICKS], [f"p{p:g}" for p in TICKS])
        ax.set_yticks(Y_TICKS, [f"{y:g}" for y in Y_TICKS])
        ax.minorticks_off()
        ax.set_title(f"{rate:,} records/s, acks=all, RF=3, 3 nodes", fontsize=10)
        ax.set_xlabel("percentile")
        ax.set_ylabel("send -> consumer, ms")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    save(fig, "Produce->consume latency at a fixed rate: bin/bench-replicated, CASES=latency-paced", png)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
