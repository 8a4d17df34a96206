#!/usr/bin/env python3
"""The sustained run over time, from bin/bench-replicated's sustained case.

    /usr/bin/python3 benchmarks/sustained/plot.py <out-dir> <load-log> <seconds> <stretch-seconds> <png>

Four panels against minutes since the load began: each node's resident memory (VmRSS, and RssAnon dashed)
with the two stretches the row compares shaded; send->ack p50 and p99 per 10-s window; every GC pause of
each node with the 50 ms line; and offsets: records acknowledged, records the consumer read, and each node's
log start offset (what retention deleted). Reads the files analyze.py reads (Debian's python3-matplotlib;
the script says so when it is missing).
"""
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import analyze  # noqa: E402
from plots import pyplot as plt, save  # noqa: E402

COLOURS = {1: "tab:blue", 2: "tab:orange", 3: "tab:green"}


def main(out, load_log, seconds, stretch, png):
    start = analyze.load_start_ms(load_log)
    if start is None:
        sys.exit(f"no START line in {load_log}")

    def minutes(epoch_ms):
        return (epoch_ms - start) / 60000

    fig, axes = plt.subplots(2, 2, figsize=(15, 9), sharex=True)
    rss, lat, gc, offs = axes.flat

    by_node = analyze.samples(out)
    for i, rows in sorted(by_node.items()):
        if not rows:
            continue
        xs = [minutes(r[0]) for r in rows]
        rss.plot(xs, [r[1] for r in rows], color=COLOURS.get(i), label=f"node {i} VmRSS")
        rss.plot(xs, [r[2] for r in rows], color=COLOURS.get(i), linestyle="--", alpha=0.6, label=f"node {i} RssAnon")
    rss.axvspan(stretch / 60, 2 * stretch / 60, color="grey", alpha=0.15, label="compared stretches")
    rss.axvspan((seconds - stretch) / 60, seconds / 60, color="grey", alpha=0.15)
    rss.set_title("resident memory per node, MB (1 GB heaps)", fontsize=10)
    rss.set_ylim(bottom=0)

    win = analyze.windows(load_log)
    xs = [w["t_s"] / 60 for w in win if w.get("acked", 0) > 0]
    for key, style in (("p50_ms", ":"), ("p99_ms", "-"), ("p999_ms", "--")):
        lat.plot(xs, [w[key] for w in win if w.get("acked", 0) > 0], linestyle=style, marker=".",
                 label=key.replace("_ms", ""))
    lat.set_title("send->ack latency per 10-s window, ms, log scale (acks=all, from when each record was due)",
                  fontsize=10)
    lat.set_yscale("log")

    worst = 0.0
    for i in analyze.NODES:
        ps = [p for p in analyze.pauses(out, i) if p[0] >= start]
        if ps:
            gc.scatter([minutes(p[0]) for p in ps], [p[2] for p in ps], s=9, color=COLOURS[i], label=f"node {i}")
            worst = max(worst, max(p[2] for p in ps))
    gc.axhline(analyze.GC_LIMIT_MS, color="red", linestyle="--", linewidth=1, label="50 ms")
    gc.set_ylim(0, max(60.0, worst * 1.1))
    gc.set_title("GC pauses (G1: Young, Remark, Cleanup, Full), ms", fontsize=10)

    offs.plot([w["t_s"] / 60 for w in win], [w.get("read", 0) / 1e6 for w in win], color="black", linestyle="--",
              label="consumer read")
    acked = 0.0
    acked_xs, acked_ys = [], []
    for w in win:
        acked += w.get("acked", 0)
        acked_xs.append(w["t_s"] / 60)
        acked_ys.append(acked / 1e6)
    offs.plot(acked_xs, acked_ys, color="grey", linewidth=4, alpha=0.4, label="acknowledged")
    for i, rows in sorted(by_node.items()):
        rows = [r for r in rows if r[4] >= 0]
        if rows:
            offs.plot([minutes(r[0]) for r in rows], [r[4] / 1e6 for r in rows], color=COLOURS.get(i),
                      label=f"node {i} log start offset")
    offs.set_title("offsets, millions: retention moves the log start", fontsize=10)
    offs.set_ylim(bottom=0)

    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
        ax.set_xlim(left=0)
    for ax in axes[1]:
        ax.set_xlabel("minutes since the load began")
    head = analyze.start_line(load_log)
    title = (f"Sustained run (bin/bench-replicated CASES=sustained): {head['rate']:,} records/s of "
             f"{head['record_size']} B for {seconds} s, acks=all, 3 nodes, RF=3, retention deleting segments")
    save(fig, title, png)


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
