"""Where the time goes: reads a run's link samples and says what was idle and what queued.

A transfer that reaches the fluid bound keeps the binding links busy from start to end: the
seeder's uplink (F/u_s) and, in a swarm, every leecher's uplink as well (N*F/(u_s+sum u_i)).
So the questions asked of the samples are: how long did the first bytes take, how much of the
wall time was each uplink busy, how long did requests wait behind queued data, and how long was
the tail after the first hosts finished.
"""

import statistics

BUSY_FRACTION = 0.5  # an uplink below half its cap during a sample interval counts as idle
FIRST_BYTE_BYTES = 64 * 1024


def _interval_rates(samples, host, attribute, until):
    """[(interval seconds, bit/s)] for one host's up or down counter, clipped to [0, until]."""
    rates = []
    for before, after in zip(samples, samples[1:]):
        if before.seconds >= until:
            break
        span = min(after.seconds, until) - before.seconds
        whole = after.seconds - before.seconds
        if span <= 0 or whole <= 0:
            continue
        moved = getattr(after, attribute)[host] - getattr(before, attribute)[host]
        rates.append((span, moved * 8 / whole))
    return rates


def host_diagnostics(samples, host, index, wall):
    """Numbers for one host over [0, wall]: utilisation of its upload cap, idle seconds, queue
    delay behind its upload and download caps, first byte."""
    result = {}
    if host.up_bps:
        rates = _interval_rates(samples, index, "up_bytes", wall)
        result["up_idle_seconds"] = round(sum(span for span, rate in rates
                                              if rate < BUSY_FRACTION * host.up_bps), 3)
        queued = [s.up_backlog[index] * 8 / host.up_bps * 1000 for s in samples
                  if s.seconds <= wall]
        if queued:
            result["up_queue_ms_mean"] = round(statistics.fmean(queued), 2)
            result["up_queue_ms_max"] = round(max(queued), 2)
    if host.down_bps:
        queued = [s.down_backlog[index] * 8 / host.down_bps * 1000 for s in samples
                  if s.seconds <= wall]
        if queued:
            result["down_queue_ms_mean"] = round(statistics.fmean(queued), 2)
            result["down_queue_ms_max"] = round(max(queued), 2)
    first = next((s.seconds for s in samples if s.down_bytes[index] >= FIRST_BYTE_BYTES), None)
    result["first_byte_seconds"] = round(first, 3) if first is not None else None
    return result


def run_diagnostics(run, host_rows):
    """Scenario-wide summary plus a sentence on where the time went. `host_rows` are the
    per-host report rows (with bytes and completion times already filled in)."""
    wall = run["wall_seconds"]
    if not wall:
        return {"summary": "no diagnosis: not every fetch completed"}
    senders = [row for row in host_rows if row["role"] in ("seeder", "source") and row["up_bps"]]
    leechers = [row for row in host_rows if row["role"] in ("leecher", "peer")]
    result = {}
    phrases = []
    if senders:
        busy = sum(r["bytes_up"] for r in senders) * 8 / (sum(r["up_bps"] for r in senders) * wall)
        idle = max(r.get("up_idle_seconds", 0) for r in senders)
        who = senders[0]["name"] if len(senders) == 1 else f"{len(senders)} sources'"
        result["seeder_up_utilization"] = round(busy, 3)
        result["seeder_up_idle_seconds"] = idle
        phrases.append(f"{who} uplink at {busy:.0%} of the cap on average, below half for "
                       f"{idle:.2f}s")
    if len(senders) == 1 and leechers and senders[0]["role"] == "seeder":
        # A swarm needs the seeder to send each piece about once; N copies is a plain server.
        file_bytes = max(row["payload_bytes"] for row in leechers)
        copies = senders[0]["bytes_up"] / file_bytes if file_bytes else 0
        result["seeder_copies_sent"] = round(copies, 2)
        phrases.append(f"the seeder sent {copies:.1f} copies of the file")
    capped = [row for row in leechers if row["up_bps"]]
    if len(capped) >= 2:
        sent = sum(row["bytes_up"] for row in capped) * 8
        busy = sent / (sum(row["up_bps"] for row in capped) * wall)
        result["leecher_up_utilization"] = round(busy, 3)
        phrases.append(f"{capped[0]['role']} uplinks at {busy:.0%}")
    firsts = [row["first_byte_seconds"] for row in leechers
              if row.get("first_byte_seconds") is not None]
    if firsts:
        result["first_byte_seconds_median"] = round(statistics.median(firsts), 3)
        phrases.append(f"first 64 KiB after {statistics.median(firsts):.2f}s (median)")
    done = sorted(row["completed_seconds"] for row in leechers
                  if row.get("completed_seconds") is not None)
    if done:
        result["first_completion_seconds"] = done[0]
        result["tail_seconds"] = round(wall - statistics.median(done), 3)
        phrases.append(f"completions from {done[0]:.2f}s to {done[-1]:.2f}s")
    queues = [row["up_queue_ms_mean"] for row in leechers if "up_queue_ms_mean" in row]
    if queues:
        result["leecher_up_queue_ms_mean"] = round(statistics.fmean(queues), 2)
        phrases.append(f"requests wait ~{statistics.fmean(queues):.1f} ms behind queued data "
                       f"on {leechers[0]['role']} uplinks")
    payload = sum(row["payload_bytes"] for row in host_rows)
    received = sum(row["bytes_down"] for row in host_rows if row["payload_bytes"])
    if payload:
        # Headers add well under 1% to these counters (see report.py); more than that means
        # duplicate pieces, or protocol chatter.
        result["received_over_payload"] = round(received / payload, 3)
        phrases.append(f"{received / payload:.3f}x the payload reached the fetchers")
    result["summary"] = "; ".join(phrases)
    return result
