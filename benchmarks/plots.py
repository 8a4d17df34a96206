"""What the plots of bin/bench-replicated share: matplotlib, and the rows of the newest run in results.tsv.

The plot scripts put this directory on sys.path and import it (Debian's python3-matplotlib, run with
/usr/bin/python3).
"""
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
except ImportError:
    sys.exit("the plots need matplotlib: apt-get install python3-matplotlib, and run them with /usr/bin/python3")


def newest_run(tsv):
    """The rows (split at tabs) after the last "# run" line of results.tsv."""
    rows = []
    with open(tsv) as f:
        for line in f:
            if line.startswith("# run "):
                rows = []
            elif line.strip():
                rows.append(line.rstrip("\n").split("\t"))
    return rows


def save(fig, title, png):
    """Titles the figure, lays it out and writes it to png."""
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    print(f"wrote {png}")
