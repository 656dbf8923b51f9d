"""Turns runs into the report: one record per run (the --json form) and the table people read.

Byte counts are what crossed each host's link to the switch, as the veth counts it: packets as
the kernel hands them over, so a TCP segmentation-offload super-packet of up to 64 KiB counts
its headers once. The counts are therefore within a fraction of a percent of the payload; the
tbf caps, in contrast, charge every 1500-byte frame its own headers (see bounds.py). Times are
seconds from the instant every fetch was launched.
"""

import statistics

from harness import diagnose, stats, units

SCHEMA_VERSION = 1


def run_record(run, run_number, settings, timeline=False):
    plan = run["plan"]
    host_rows = []
    for index, host in enumerate(run["hosts"]):
        spec = plan.hosts[index]
        states = [s for s in run["states"] if s.fetch.host == host.name]
        row = {
            "name": host.name, "role": spec.role, "address": host.address,
            "up_bps": host.up_bps, "down_bps": host.down_bps,
            "bytes_up": run["bytes_up"][index], "bytes_down": run["bytes_down"][index],
            "payload_bytes": sum(plan.payload_sizes[s.fetch.payload] for s in states),
        }
        if states:
            times = [s.completed_seconds for s in states]
            row["completed_seconds"] = (round(max(times), 3) if None not in times else None)
            row["verified"] = all(s.verified for s in states)
            row["fetches"] = [{
                "label": s.fetch.label, "payload": s.fetch.payload,
                "completed_seconds": (round(s.completed_seconds, 3)
                                      if s.completed_seconds is not None else None),
                "verified": s.verified, "exit_code": s.exit_code, "restarts": s.restarts,
                "killed_at_seconds": round(s.killed_at, 3) if s.killed_at is not None else None,
                "started_at_seconds": round(s.fetch.start_at, 3),
                "printed_summary": "fetched" in s.proc.stdout_text(),
                "error": s.error, "command": s.fetch.argv,
            } for s in states]
        if run["wall_seconds"]:
            row.update(diagnose.host_diagnostics(run["samples"], host, index, run["wall_seconds"]))
        host_rows.append(row)
    wall, bound = run["wall_seconds"], plan.bound.seconds
    record = {
        "scenario": plan.scenario,
        "run": run_number,
        "ok": not run["failures"],
        "parameters": {"hosts": len([h for h in plan.hosts if h.role != "tracker"]),
                       "size_bytes": settings.size, "up_bps": settings.up,
                       "down_bps": settings.down, "mtu": settings.mtu, **plan.parameters},
        "wall_seconds": round(wall, 3) if wall is not None else None,
        "bound_seconds": round(bound, 3) if bound else None,
        "bound_formula": plan.bound.formula,
        "bound_terms": {name: round(value, 3) for name, value in plan.bound.terms.items()},
        "ratio": round(wall / bound, 3) if wall and bound else None,
        "hosts": host_rows,
        "services": run["service_exits"],
        "failures": run["failures"],
        "notes": plan.notes,
    }
    if plan.churn:
        record["churn"] = dict(plan.churn)
        record["churn"]["killed"] = [s.fetch.host for s in run["states"] if s.killed_at is not None]
    record["diagnostics"] = diagnose.run_diagnostics(run, host_rows)
    record["completion"] = stats.completion_summary(
        [row.get("completed_seconds") for row in host_rows if row["payload_bytes"]], bound)
    if plan.parameters.get("fast_hosts"):
        fast = set(plan.parameters["fast_hosts"])
        record["fast_completion"] = stats.completion_summary(
            [row.get("completed_seconds") for row in host_rows if row["name"] in fast],
            plan.parameters["fast_bound_seconds"])
    record["seeder_copies_sent"] = copies_sent(host_rows)
    if run.get("rack_links"):
        record["rack_links"] = stats.rack_link_copies(run["rack_links"], settings.size)
    record["cpu"] = cpu_record(run)
    if timeline:
        record["timeline"] = timeline_of(run)
    return record


def copies_sent(host_rows):
    """Bytes the seeder (or the sources, together) sent over F: ~1 for a good swarm, N for a
    plain server with N fetchers. None where no host only serves (mutual)."""
    senders = [row for row in host_rows if row["role"] in ("seeder", "source")]
    file_bytes = max((row["payload_bytes"] for row in host_rows), default=0)
    if not senders or not file_bytes:
        return None
    return round(sum(row["bytes_up"] for row in senders) / file_bytes, 2)


def cpu_record(run):
    """The machine's CPU use during the run: summary (stats.cpu_summary) plus the series."""
    series = run.get("cpu_series", [])
    unfinished_until = run["wall_seconds"] or run.get("watched_seconds")
    record = stats.cpu_summary(series, run.get("cpu_cores", 1), unfinished_until)
    record["series"] = [list(interval) for interval in series]  # [start, end, cores busy]
    return record


def failed_run_record(plan, run_number, settings, reason):
    """The record of a run that could not get as far as launching its fetches."""
    return {
        "scenario": plan.scenario, "run": run_number, "ok": False,
        "parameters": {"hosts": len([h for h in plan.hosts if h.role != "tracker"]),
                       "size_bytes": settings.size, "up_bps": settings.up,
                       "down_bps": settings.down, "mtu": settings.mtu, **plan.parameters},
        "wall_seconds": None, "bound_seconds": plan.bound.seconds,
        "bound_formula": plan.bound.formula, "bound_terms": plan.bound.terms, "ratio": None,
        "hosts": [], "services": {}, "failures": [reason], "notes": plan.notes,
        "diagnostics": {}, "completion": None, "seeder_copies_sent": None, "cpu": None,
    }


def timeline_of(run):
    samples = run["samples"]
    return {
        "seconds": [round(s.seconds, 3) for s in samples],
        "hosts": {host.name: {"bytes_down": [s.down_bytes[i] for s in samples],
                              "bytes_up": [s.up_bytes[i] for s in samples]}
                  for i, host in enumerate(run["hosts"])},
        "completed": {s.fetch.host + "/" + s.fetch.label: s.completed_seconds
                      for s in run["states"]},
        "killed": {s.fetch.host: s.killed_at for s in run["states"] if s.killed_at is not None},
        "roles": {spec.name: spec.role for spec in run["plan"].hosts},
    }


def scenario_summary(scenario, records, target_ratio=None):
    walls = [r["wall_seconds"] for r in records if r["wall_seconds"] is not None]
    ratios = [r["ratio"] for r in records if r["ratio"] is not None]
    summary = {
        "scenario": scenario,
        "ok": all(r["ok"] for r in records),
        "runs": records,
        "median_wall_seconds": round(statistics.median(walls), 3) if walls else None,
        "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "bound_seconds": records[0]["bound_seconds"] if records else None,
    }
    for group, prefix in (("completion", "median_"), ("fast_completion", "median_fast_")):
        for key in ("p50_ratio", "p90_ratio", "p99_ratio", "max_ratio"):
            values = [r[group][key] for r in records
                      if r.get(group) and r[group][key] is not None]
            if values or group == "completion":
                summary[f"{prefix}{key}"] = round(statistics.median(values), 3) if values else None
    summary["saturated_runs"] = sum(1 for r in records if r.get("cpu") and r["cpu"]["saturated"])
    summary["idle_runs"] = sum(1 for r in records if r.get("cpu") and r["cpu"]["idle_seconds"])
    if target_ratio and summary["median_ratio"] is not None and len(walls) == len(records):
        summary["target_ratio"] = target_ratio
        summary["target_met"] = summary["median_ratio"] <= target_ratio
    return summary


def not_run(scenario, reason):
    """The summary of a scenario this xfer build cannot run (a missing option)."""
    return {"scenario": scenario, "ok": False, "not_run": reason, "runs": [],
            "median_wall_seconds": None, "median_ratio": None, "bound_seconds": None}


def _mib(byte_count):
    return f"{byte_count / 2**20:.1f}"


def _seconds(value, unit=""):
    return "-" if value is None else f"{value:.2f}{unit}"


def format_run(record, total_runs):
    p = record["parameters"]
    lines = [f"{record['scenario']}  run {record['run']}/{total_runs}  {p['hosts']} hosts, "
             f"{units.format_size(p['size_bytes'])}, up {units.format_rate(p['up_bps'])}, "
             f"down {units.format_rate(p['down_bps'])}"
             + (f", {p['discovery']}" if "discovery" in p else "")]
    bound_name = max(record["bound_terms"], key=record["bound_terms"].get, default="")
    ratio = f"{record['ratio']:.2f}x" if record["ratio"] else "-"
    lines.append(f"  wall {_seconds(record['wall_seconds'], 's')}   fluid bound "
                 f"{_seconds(record['bound_seconds'], 's')} ({bound_name})   ratio {ratio}   "
                 + ("OK" if record["ok"] else "FAILED"))
    lines.append(f"  {'host':<5}{'role':<9}{'address':<12}{'up cap':>9}{'down cap':>10}"
                 f"{'done at':>9}{'verified':>9}{'MiB up':>9}{'MiB down':>9}{'up busy':>8}"
                 f"{'upQ ms':>8}")
    for row in record["hosts"]:
        verified = {True: "yes", False: "NO"}.get(row.get("verified"), "-")
        busy = "-"
        if row["up_bps"] and record["wall_seconds"]:
            busy = f"{row['bytes_up'] * 8 / (row['up_bps'] * record['wall_seconds']):.0%}"
        lines.append(f"  {row['name']:<5}{row['role']:<9}{row['address']:<12}"
                     f"{units.format_rate(row['up_bps']) if row['up_bps'] else '-':>9}"
                     f"{units.format_rate(row['down_bps']) if row['down_bps'] else '-':>10}"
                     f"{_seconds(row.get('completed_seconds')):>9}{verified:>9}"
                     f"{_mib(row['bytes_up']):>9}{_mib(row['bytes_down']):>9}{busy:>8}"
                     f"{row.get('up_queue_ms_mean', '-'):>8}")
    lines += _completion_lines(record) + _cpu_lines(record.get("cpu"))
    for link in record.get("rack_links", []):
        lines.append(f"  rack {link['rack']} uplink: {link['copies_in']:.2f} copies of the file "
                     f"in, {link['copies_out']:.2f} out")
    lines += _late_lines(record)
    if "churn" in record:
        lines.append(f"  churn: killed {', '.join(record['churn']['killed']) or 'nobody'} at "
                     f"{record['churn']['at_fraction']:.0%} of the file, down "
                     f"{record['churn']['down_seconds']:g}s")
    if record["diagnostics"].get("summary"):
        lines.append(f"  where the time goes: {record['diagnostics']['summary']}")
    for note in record["notes"]:
        lines.append(f"  note: {note}")
    for failure in record["failures"]:
        lines.append(f"  FAILURE {failure}")
    return "\n".join(lines)


def _ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def _percentiles_text(completion):
    return "  ".join(f"{name} {_seconds(completion[f'{name}_seconds'], 's')} "
                     f"({_ratio(completion[f'{name}_ratio'])})"
                     for name in ("p50", "p90", "p99", "max"))


def _completion_lines(record):
    completion = record.get("completion")
    if not completion:
        return []
    line = f"  host completion over {completion['hosts']} host(s): " + \
        _percentiles_text(completion)
    if record.get("seeder_copies_sent") is not None:
        who = "the seeder" if record["parameters"].get("leechers") else "the source(s)"
        line += f"; {who} sent {record['seeder_copies_sent']:.2f} copies of the file"
    lines = [line]
    fast = record.get("fast_completion")
    if fast:
        lines.append(f"  the {fast['hosts']} fast host(s), against their own bound "
                     f"{_seconds(record['parameters']['fast_bound_seconds'], 's')}: "
                     + _percentiles_text(fast))
    return lines


def _spans_text(spans):
    return ", ".join(f"{start:.1f}-{end:.1f}s" for start, end in spans[:6]) + \
        (", ..." if len(spans) > 6 else "")


def _cpu_lines(cpu):
    """The machine's CPU line, and a warning for saturation or for idling with work left."""
    if not cpu or not cpu["samples"]:
        return []
    lines = [f"  machine CPU: peak {cpu['peak_cores']:.2f} of {cpu['cores']} cores, mean "
             f"{cpu['mean_cores']:.2f}; {cpu['saturated_seconds']:.1f}s at >= 95% of all "
             f"cores; {cpu['idle_seconds']:.1f}s idle (< 0.1 core) with hosts unfinished"]
    if cpu["saturated"]:
        lines.append(f"  WARNING: the machine was SATURATED for {cpu['saturated_seconds']:.1f}s "
                     f"({_spans_text(cpu['saturated_spans'])}): these times measure the box, "
                     "not xfer; lower --up or --hosts")
    if cpu["idle_seconds"]:
        lines.append(f"  WARNING: the machine was IDLE for {cpu['idle_seconds']:.1f}s "
                     f"({_spans_text(cpu['idle_spans'])}) while hosts were unfinished: xfer "
                     "was waiting (a timeout or backoff?), not working")
    return lines


def format_summary(summary):
    if "not_run" in summary:
        return f"{summary['scenario']}: NOT RUN: {summary['not_run']}"
    runs = summary["runs"]
    line = (f"{summary['scenario']}: {len(runs)} run(s), "
            f"{sum(r['ok'] for r in runs)} ok; median wall "
            f"{_seconds(summary['median_wall_seconds'], 's')}, bound "
            f"{_seconds(summary['bound_seconds'], 's')}, median ratio "
            + (f"{summary['median_ratio']:.2f}x" if summary["median_ratio"] else "-"))
    if summary.get("median_p99_ratio") is not None:
        line += (f"; median p50 {_ratio(summary['median_p50_ratio'])}, p99 "
                 f"{_ratio(summary['median_p99_ratio'])}, max "
                 f"{_ratio(summary['median_max_ratio'])}")
    if summary.get("median_fast_p99_ratio") is not None:
        line += (f"; fast hosts: median p99 {_ratio(summary['median_fast_p99_ratio'])} of "
                 f"their own bound")
    if summary.get("saturated_runs"):
        line += f"; WARNING: machine saturated in {summary['saturated_runs']} run(s)"
    if summary.get("idle_runs"):
        line += f"; WARNING: machine idle with hosts unfinished in {summary['idle_runs']} run(s)"
    if "target_met" in summary:
        line += (f" (target {summary['target_ratio']:g}x: "
                 + ("met)" if summary["target_met"] else "missed)"))
    return line


def _late_lines(record):
    """The late scenario: when the joiners came, and how long each took from its own start."""
    joiners = record["parameters"].get("late_joiners")
    if not joiners:
        return []
    rows = {row["name"]: row for row in record["hosts"]}
    took = [rows[name]["completed_seconds"] - record["parameters"]["late_start_seconds"]
            for name in joiners if rows[name].get("completed_seconds") is not None]
    spans = f"{min(took):.2f}-{max(took):.2f}s" if took else "none finished"
    return [f"  late: {', '.join(joiners)} started at "
            f"{record['parameters']['late_start_seconds']:.2f}s and took {spans} from there"]
