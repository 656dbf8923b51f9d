"""Plots one run's per-host progress over time to a PNG (matplotlib, imported only here).

"Progress" is what the harness can see from outside: bytes received over the host's link
(sampled from its switch port), which runs slightly ahead of the verified data inside xfer;
the instant the final file appeared is marked on each line. The lower panel shows each host's
upload rate, which is where a swarm's time goes.

Also runnable on its own, for a JSON timeline saved by `lan-harness --json --timeline`:
    python3 tools/harness/plot.py REPORT.json OUT.png
When the Python running the harness has no matplotlib but the system one does (Debian's
python3-matplotlib), write() hands the job to /usr/bin/python3 that way.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

SYSTEM_PYTHON = "/usr/bin/python3"


def _title(summary):
    run = summary["runs"][0]
    p = run["parameters"]
    def seconds(value):
        return "-" if value is None else f"{value:.2f} s"
    return (f"{summary['scenario']}: {p['hosts']} hosts, {p['size_bytes'] / 2**20:g} MiB, "
            f"up {(p['up_bps'] or 0) / 1e6:g} Mbit/s  |  wall {seconds(run['wall_seconds'])}, "
            f"bound {seconds(summary['bound_seconds'])}, ratio {run['ratio'] or '-'}")


def render(path, timeline, summary):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds = timeline["seconds"]
    figure, (progress, uploads) = plt.subplots(2, 1, sharex=True, figsize=(11, 8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if len(timeline["hosts"]) > len(colors):
        colors = [plt.get_cmap("tab20")(n % 20) for n in range(20)]
    fetchers = {key.split("/")[0] for key in timeline["completed"]}
    ordered = sorted(timeline["hosts"].items(), key=lambda item: _natural_key(item[0]))
    for number, (host, series) in enumerate(ordered):
        color = colors[number % len(colors)]
        received = [value / 2**20 for value in series["bytes_down"]]
        if host in fetchers:
            progress.plot(seconds, received, color=color, label=host, linewidth=1.4)
            for key, completed in timeline["completed"].items():
                if key.split("/")[0] == host and completed is not None:
                    progress.plot([completed], [_value_at(seconds, received, completed)],
                                  marker="o", color=color)
            killed = timeline["killed"].get(host)
            if killed is not None:
                progress.plot([killed], [_value_at(seconds, received, killed)], marker="X",
                              color="red", markersize=10)
        if timeline.get("roles", {}).get(host) != "tracker":  # its trickle: a line at zero
            uploads.plot(seconds[1:], _rates(seconds, series["bytes_up"]), color=color,
                         label=host, linewidth=1.0)
    bound = summary.get("bound_seconds")
    if bound:
        for axis in (progress, uploads):
            axis.axvline(bound, color="black", linestyle="--", linewidth=1,
                         label="fluid bound" if axis is progress else None)
    progress.set_ylabel("received over the link (MiB)")
    progress.set_title(_title(summary), fontsize=10)
    progress.legend(loc="lower right", fontsize=8, ncol=2)
    progress.grid(alpha=0.3)
    uploads.set_ylabel("upload rate (Mbit/s)")
    uploads.set_xlabel("seconds since the fetches were launched (o = file complete, X = killed)")
    uploads.legend(loc="upper right", fontsize=8, ncol=3)
    uploads.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _natural_key(name):
    """h2 before h10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _value_at(seconds, values, instant):
    for second, value in zip(seconds, values):
        if second >= instant:
            return value
    return values[-1] if values else 0


def _rates(seconds, counters, smoothing=3):
    """Mbit/s between samples, averaged over `smoothing` intervals to calm sampling jitter."""
    rates = []
    for n in range(1, len(seconds)):
        first = max(0, n - smoothing)
        span = seconds[n] - seconds[first]
        rates.append((counters[n] - counters[first]) * 8 / span / 1e6 if span > 0 else 0.0)
    return rates


def write(path, timeline, summary, log):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        if os.path.exists(SYSTEM_PYTHON) and os.path.realpath(sys.executable) != \
                os.path.realpath(SYSTEM_PYTHON):
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as data:
                json.dump({"timeline": timeline, "summary": summary}, data)
            try:
                result = subprocess.run([SYSTEM_PYTHON, os.path.realpath(__file__), data.name,
                                         path], capture_output=True, text=True)
            finally:
                os.unlink(data.name)
            if result.returncode == 0:
                log(f"plot written to {path}")
                return
            log(f"no plot: {SYSTEM_PYTHON} could not draw it either: "
                f"{result.stderr.strip().splitlines()[-1:]}")
            return
        log("no plot: matplotlib is not installed (Debian: apt-get install python3-matplotlib)")
        return
    render(path, timeline, summary)
    log(f"plot written to {path}")


def _main(argv):
    with open(argv[1]) as source:
        data = json.load(source)
    if "timeline" in data:  # written by write() above
        render(argv[2], data["timeline"], data["summary"])
        return 0
    # A --json --timeline report: plot the first run of the first scenario that has a timeline.
    for summary in data["scenarios"]:
        for run in summary["runs"]:
            if "timeline" in run:
                render(argv[2], run["timeline"], dict(summary, runs=[run]))
                return 0
    print("no timeline in that report (run lan-harness with --json --timeline)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
