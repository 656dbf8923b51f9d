"""Carries out one run of a scenario plan on a fresh test LAN and returns what happened.

Order: build the LAN, give the holders their copies, start the services and wait until each
says it listens, take the counter baseline, launch every fetch at once (time zero), poll for
the final files every 20 ms while sampling the links, kill and restart churn victims, then wait
for the fetches to exit, stop the services, verify every file byte for byte, tear down.
"""

import hashlib
import os
import shutil
import time

from harness import cpu, netns, process, sampler, scenarios

POLL_SECONDS = 0.02

# Every lab and process alive right now, so that a signal or atexit handler can end them all.
active_labs = []
active_processes = []


def teardown_everything():
    for proc in list(active_processes):
        proc.kill_hard()
    active_processes.clear()
    for lab in list(active_labs):
        lab.teardown()
    active_labs.clear()


class Payloads:
    """Random payload files, made once per harness invocation and shared by hard links."""

    def __init__(self, directory):
        self.directory = directory
        self._made = {}  # (name, size) -> (path, sha256 hex)

    def get(self, name, size):
        key = (name, size)
        if key not in self._made:
            os.makedirs(self.directory, exist_ok=True)
            path = os.path.join(self.directory, f"{size}-{name}")
            digest = hashlib.sha256()
            with open(path, "wb") as out:
                left = size
                while left > 0:
                    chunk = os.urandom(min(left, 1 << 20))
                    out.write(chunk)
                    digest.update(chunk)
                    left -= len(chunk)
            self._made[key] = (path, digest.hexdigest())
        return self._made[key]

    def place(self, name, size, destination_dir):
        source, _ = self.get(name, size)
        os.makedirs(destination_dir, exist_ok=True)
        destination = os.path.join(destination_dir, name)
        try:
            os.link(source, destination)
        except OSError:
            shutil.copyfile(source, destination)


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class FetchState:
    def __init__(self, fetch, proc):
        self.fetch = fetch
        self.proc = proc
        self.completed_seconds = None
        self.error = None
        self.killed_at = None
        self.restart_due = None
        self.restarts = 0
        self.verified = False
        self.exit_code = None


def run_plan(plan, settings, layout, payloads, log):
    """Runs `plan` once. Returns a dict (see report.py for its fields)."""
    for host in plan.hosts:
        for directory in (layout.share_dir(host.name), layout.out_dir(host.name),
                          layout.log_dir(host.name)):
            os.makedirs(directory, exist_ok=True)
    for host_name, payload in plan.placements:
        payloads.place(payload, plan.payload_sizes[payload], layout.share_dir(host_name))

    lab = netns.Lab(mtu=settings.mtu, queue_milliseconds=settings.queue_ms)
    active_labs.append(lab)
    watcher = None
    try:
        lab.start()
        for rack in range(1, plan.parameters.get("racks", 1)):
            lab.add_rack(rack, plan.parameters.get("rack_uplink_bps"))
        hosts = {spec.name: lab.add_host(spec.name, spec.up_bps, spec.down_bps, spec.address,
                                         spec.rack)
                 for spec in plan.hosts}
        # Bridge ports come up one by one; a busy 2-core box at 64 hosts needs longer.
        lab.wait_until_reachable(5.0 + 0.2 * len(plan.hosts))
        lab.pin_neighbours()
        watcher = sampler.Sampler(lab, lab.hosts)
        fulls_before = netns.neighbour_table_fulls()
        result = _run_on_lab(plan, settings, layout, payloads, lab, hosts, watcher, log)
        _note_neighbour_overflows(plan, fulls_before, netns.neighbour_table_fulls())
    finally:
        if watcher:
            watcher.close()
        teardown_everything()
    return result


def _note_neighbour_overflows(plan, before, after):
    """The ARP table is the machine's, not the run's: if it overflowed anyway (another run, or
    more hosts than the pinned entries cover), connections were lost to it, not to xfer."""
    if before is not None and after is not None and after > before:
        plan.notes.append(f"WARNING: the kernel's ARP table overflowed {after - before} times "
                          "during the run (dmesg: neighbor table overflow): packets to peers "
                          "were dropped before they left their host")


# What services printed that later command lines need (the tracker's KEY@HOST:PORT).
substitutions = {}


def _start(lab, host, argv, layout, label, now=True):
    argv = [substitutions.get(word, word) for word in argv]
    proc = process.HostProcess(lab, host, argv, layout.log_dir(host.name), label)
    active_processes.append(proc)
    if now:
        proc.start()
    return proc


def _launch(lab, hosts, fetch, layout):
    """Starts a fetch, or (a late joiner) has _handle_exit_or_restart start it when its time
    comes: its first start is then due like a churn victim's restart, but is not one."""
    state = FetchState(fetch, _start(lab, hosts[fetch.host], fetch.argv, layout, fetch.label,
                                     now=fetch.start_at <= 0))
    if fetch.start_at > 0:
        state.restart_due = fetch.start_at
    return state


def _run_on_lab(plan, settings, layout, payloads, lab, hosts, watcher, log):
    failures = []
    services = []
    for service in plan.services:
        proc = _start(lab, hosts[service.host], service.argv, layout, service.label)
        services.append((service, proc))
        match = proc.wait_for_line(service.ready, settings.service_timeout)
        if service.ready == scenarios.TRACKER_READY:
            substitutions[scenarios.TRACKER_LOCATOR] = match.group(1)
    log(f"  services up: {', '.join(f'{s.label}@{s.host}' for s, _ in services) or 'none'}")
    if settings.warm:
        _warm_up(plan, settings, lab, hosts, layout, log)

    watcher.start()
    machine = cpu.CpuSampler()
    machine.start()
    started = time.monotonic()
    states = [_launch(lab, hosts, f, layout) for f in plan.fetches]
    _watch(plan, settings, lab, states, services, (watcher, machine), started, failures, log)
    watcher.sample()
    machine.finish()
    up_totals, down_totals = watcher.totals()
    rack_links = watcher.rack_link_totals()
    finished = [s.completed_seconds for s in states if s.completed_seconds is not None]
    wall = max(finished) if len(finished) == len(states) else None
    log(f"  all fetches done in {wall:.2f}s" if wall is not None else "  some fetches failed")

    _collect_exits(states, settings)
    service_exits = {f"{service.label}@{service.host}": proc.stop()
                     for service, proc in services}
    _verify(plan, states, payloads)
    failures += [f"{s.fetch.host} {s.fetch.label}: {s.error}" for s in states if s.error]
    return {
        "plan": plan,
        "wall_seconds": wall,
        "states": states,
        "hosts": lab.hosts,
        "bytes_up": up_totals,
        "bytes_down": down_totals,
        "rack_links": rack_links,
        "samples": watcher.samples,
        "cpu_series": machine.series(),
        "cpu_cores": machine.cores,
        "watched_seconds": time.monotonic() - started,
        "service_exits": service_exits,
        "failures": failures,
    }


def _warm_up(plan, settings, lab, hosts, layout, log):
    """Has every serving host hash what it holds before the clock starts, as it would have
    long done for a user who started `xfer serve` earlier: each one fetches the first piece of
    its own file from itself (over its loopback, outside the caps and the counters)."""
    serving = {service.host for service in plan.services if service.label == "serve"}
    started = time.monotonic()
    for host_name, payload in plan.placements:
        if host_name not in serving:
            continue
        host = hosts[host_name]
        scratch = os.path.join(layout.run_dir, host_name, "warm")
        argv = [plan_xfer(plan), "fetch", f"{host.address}:{scenarios.SERVE_PORT}", payload,
                "--range", "0:1", "-o", scratch, "-q"]
        proc = _start(lab, host, argv, layout, f"warm-{payload}")
        code = proc.wait(settings.service_timeout)
        if code != 0:
            proc.stop()
            plan.notes.append(f"warm-up of {payload} on {host_name} failed "
                              f"({process.describe_exit(proc.exit_code())}): "
                              f"{proc.stderr_tail() or '(no stderr)'}; the clock includes it")
        remove_tree(scratch)  # its part file may be fully allocated: give the memory back
    log(f"  warm-up (servers hash their files) took {time.monotonic() - started:.2f}s")


def plan_xfer(plan):
    """The xfer binary a plan runs (the first word of its first command)."""
    return (plan.services or plan.fetches)[0].argv[0]


def _watch(plan, settings, lab, states, services, samplers, started, failures, log):
    """Polls until every fetch has completed or failed, or the run times out; samples the
    links (and the machine's CPU, once a second) and carries out the churn on the way."""
    watcher, machine = samplers
    host_index = {host.name: n for n, host in enumerate(lab.hosts)}
    timeout = settings.timeout or max(60.0, 10 * (plan.bound.seconds or 6.0))
    next_sample = 0.0
    while True:
        now = time.monotonic() - started
        for state in states:
            if state.completed_seconds is None and os.path.exists(state.fetch.output):
                state.completed_seconds = now
        pending = [s for s in states if s.completed_seconds is None and s.error is None]
        if not pending:
            return
        for state in pending:
            _handle_exit_or_restart(state, now)
        if plan.churn and watcher.latest():
            _churn(plan, pending, watcher, host_index, now, log)
        machine.poll()
        if now >= next_sample:
            watcher.sample()
            next_sample = now + settings.sample_ms / 1000
        for service, proc in list(services):
            if not proc.running():
                failures.append(f"{service.label} on {service.host} ended early ("
                                f"{process.describe_exit(proc.exit_code())}): "
                                f"{proc.stderr_tail() or '(no stderr)'}")
                services.remove((service, proc))
        if now > timeout:
            for state in pending:
                state.error = f"not complete after {timeout:.0f}s (timeout)"
            return
        time.sleep(POLL_SECONDS)


def _collect_exits(states, settings):
    """Completed fetches linger to serve partners, then must exit 0 by themselves (xfer's own
    default linger is up to 30 s when --linger is not given); failed ones are stopped."""
    exit_wait = (settings.linger if settings.linger is not None else 30.0) + 30.0
    exit_deadline = time.monotonic() + exit_wait
    for state in states:
        if state.error is None:
            if state.proc.wait(max(0.0, exit_deadline - time.monotonic())) is None:
                state.error = f"still running {exit_wait:.0f}s after completing (linger)"
                state.proc.stop()
            state.exit_code = state.proc.exit_code()
            if state.error is None and state.exit_code != 0:
                state.error = (f"{process.describe_exit(state.exit_code)}: "
                               f"{state.proc.stderr_tail() or '(no stderr)'}")
        else:
            state.proc.stop()
            state.exit_code = state.proc.exit_code()


def _verify(plan, states, payloads):
    """Byte for byte, after everything has stopped: SHA-256 of each output against the source."""
    for state in states:
        if state.completed_seconds is None:
            continue
        _, expected = payloads.get(state.fetch.payload, plan.payload_sizes[state.fetch.payload])
        state.verified = sha256_of(state.fetch.output) == expected
        if not state.verified and state.error is None:
            state.error = f"{state.fetch.output} differs from the source"


def _handle_exit_or_restart(state, now):
    if state.restart_due is not None:
        if now >= state.restart_due:
            state.restart_due = None
            if state.proc.incarnation > 0:
                state.restarts += 1
            state.proc.start()
        return
    if state.proc.running():
        return
    if os.path.exists(state.fetch.output):
        state.completed_seconds = now
        return
    state.error = (f"ended ({process.describe_exit(state.proc.exit_code())}) before its file "
                   f"appeared: {state.proc.stderr_tail() or '(no stderr)'}")


def _churn(plan, state_list, watcher, host_index, now, log):
    """Kills each churn victim once it has received the set share of the file over its link,
    and schedules its restart."""
    threshold = plan.churn["at_fraction"] * plan.payload_sizes[scenarios.PAYLOAD]
    received = watcher.latest().down_bytes
    for state in state_list:
        if not state.fetch.churn_victim or state.killed_at is not None:
            continue
        if state.proc.running() and received[host_index[state.fetch.host]] >= threshold:
            state.proc.kill_hard()
            state.killed_at = now
            state.restart_due = now + plan.churn["down_seconds"]
            log(f"  churn: killed {state.fetch.host} at {now:.2f}s "
                f"({received[host_index[state.fetch.host]] / 2**20:.1f} MiB in), "
                f"restart in {plan.churn['down_seconds']:g}s")
