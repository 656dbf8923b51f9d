"""Pure statistics for the report: completion percentiles and the machine's CPU use over time.

Nothing here touches the system; cpu.py reads /proc/stat and hands the numbers to these
functions, so every rule below is unit-tested without root (test_stats.py).

Percentiles are **nearest-rank**: the p-th percentile of n sorted values is the value at rank
ceil(p/100 * n) (1-based), so it is always one of the measured times, never an interpolation.
With 63 hosts p99 is the 63rd (the slowest), p90 the 57th, p50 the 32nd; with 8 hosts p90 and p99
are both the slowest. That is deliberate: a fleet is judged by hosts that really finished then.
"""

import math

PERCENTILES = (50, 90, 99)
SATURATED_FRACTION = 0.95  # a second with >= 95 % of all cores busy: the box sets the pace
IDLE_CORES = 0.10  # a second with < 10 % of one core busy while hosts are unfinished: waiting


def nearest_rank(values, percentile):
    """The nearest-rank percentile (0 < percentile <= 100) of `values`; None if empty."""
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile {percentile} outside (0, 100]")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(percentile / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def completion_summary(times, bound_seconds):
    """p50, p90, p99 and max of the hosts' completion times, each with its ratio to the bound.

    `times` are seconds from time zero, one per fetching host; a host that never completed is
    None and makes the percentiles None too (an unfinished host has no finite completion).
    """
    result = {"hosts": len(times)}
    finished = [t for t in times if t is not None]
    complete = bool(times) and len(finished) == len(times)
    for name, percentile in [(f"p{p}", p) for p in PERCENTILES] + [("max", 100)]:
        value = nearest_rank(finished, percentile) if complete else None
        result[f"{name}_seconds"] = round(value, 3) if value is not None else None
        result[f"{name}_ratio"] = (round(value / bound_seconds, 3)
                                   if value is not None and bound_seconds else None)
    return result


def parse_proc_stat(text):
    """(busy jiffies, total jiffies, cores) from the text of /proc/stat.

    The first line sums every core: user nice system idle iowait irq softirq steal (guest and
    guest_nice are already inside user and nice). Idle time is idle + iowait.
    """
    cores = 0
    busy = total = None
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "cpu":
            values = [int(v) for v in fields[1:9]]
            values += [0] * (8 - len(values))
            total = sum(values)
            busy = total - values[3] - values[4]
        elif fields[0].startswith("cpu") and fields[0][3:].isdigit():
            cores += 1
    if total is None:
        raise ValueError("no 'cpu' line in /proc/stat")
    return busy, total, max(cores, 1)


def cpu_series(snapshots, cores):
    """Cores in use per interval from (seconds, busy jiffies, total jiffies) snapshots.

    Returns [(start seconds, end seconds, cores busy)]: the share of jiffies that were busy
    between two snapshots, times the number of cores (2.0 is both cores of a 2-core box).
    """
    series = []
    for (start, busy_a, total_a), (end, busy_b, total_b) in zip(snapshots, snapshots[1:]):
        elapsed = total_b - total_a
        if elapsed <= 0 or end <= start:
            continue
        load = cores * (busy_b - busy_a) / elapsed
        series.append((round(start, 3), round(end, 3), round(load, 3)))
    return series


def cpu_summary(series, cores, unfinished_until):
    """Peak, saturated seconds and idle seconds of a cpu_series.

    An interval counts as *saturated* when >= 95 % of all cores were busy in it, and as *idle*
    when < 10 % of one core was busy in it while some host was still unfinished: it ended no
    later than `unfinished_until` (the last completion, or the end of the run if a host never
    completed). Seconds are the summed lengths of those intervals (about 1 s each).
    """
    loads = [load for _, _, load in series]
    saturated = [(a, b) for a, b, load in series if load >= SATURATED_FRACTION * cores]
    idle = [(a, b) for a, b, load in series
            if load < IDLE_CORES and unfinished_until is not None and b <= unfinished_until]
    return {
        "cores": cores,
        "samples": len(series),
        "peak_cores": round(max(loads), 2) if loads else None,
        "mean_cores": round(sum(loads) / len(loads), 2) if loads else None,
        "saturated_seconds": round(sum(b - a for a, b in saturated), 1),
        "idle_seconds": round(sum(b - a for a, b in idle), 1),
        "saturated_spans": spans(saturated),
        "idle_spans": spans(idle),
        "saturated": bool(saturated),
    }


def spans(intervals):
    """Joins adjacent (start, end) intervals, in order, into [[start, end]] runs."""
    result = []
    for start, end in intervals:
        if result and start <= result[-1][1] + 1e-6:
            result[-1][1] = end
        else:
            result.append([start, end])
    return result


def rack_link_copies(links, file_bytes):
    """Per rack link, the bytes each way and those over F (a good swarm: a little over 1 in)."""
    return [{"rack": rack, "bytes_in": counts["bytes_in"], "bytes_out": counts["bytes_out"],
             "copies_in": round(counts["bytes_in"] / file_bytes, 3) if file_bytes else None,
             "copies_out": round(counts["bytes_out"] / file_bytes, 3) if file_bytes else None}
            for rack, counts in sorted(links.items())]
