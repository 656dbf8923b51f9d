"""The scenarios: which hosts exist, who holds what, which xfer commands run, and the bound.

A scenario is only a plan (data); runner.py carries any plan out the same way: start the
services and wait for them to say they are listening, launch every fetch at once, watch for the
final files, verify them, stop everything.
"""

import dataclasses
import os
import shlex

from harness import bounds, netns

SERVE_PORT = 7420
TRACKER_PORT = 7421
TRACKER_ADDRESS = "10.78.0.1"  # 10.78.0.x: service hosts without caps
PAYLOAD = "payload.bin"

SERVE_READY = r"^serving .* on \S+"
# The tracker prints its key; clients name it as KEY@HOST:PORT, which the runner puts in place of
# TRACKER_LOCATOR in every later command line once the tracker is up.
TRACKER_READY = r"^clients: --tracker (\S+)"
TRACKER_LOCATOR = "@TRACKER@"

DEFAULT_HOSTS = {"single": 2, "sources": 4, "mutual": 2, "swarm": 9, "swarm-lan": 9, "churn": 9,
                 "heterogeneous": 9, "racks": 9, "late": 9}
RACKS = 2  # the racks scenario: hosts split in halves, h0 (the seeder) in rack 0
RACK_UPLINK_SHARE = 4  # default rack uplink: a quarter of the summed host uplinks of a rack
# heterogeneous: every fourth leecher (h4, h8, ...: a quarter of them) has this share of --up.
SLOW_SHARE = 10
# late: every fourth leecher (h3, h7, ...: a quarter of them) starts this late, in bounds.
LATE_EVERY = 4
DESCRIPTIONS = {
    "single": "one source serves the file; every other host fetches it from that source",
    "sources": "hosts h0..h(N-2) all hold the file; the last host fetches it from all of them",
    "mutual": "each host holds 1/N of the data (its own part file) and fetches every other "
              "part from its owner, all at once: traffic in both directions on every link",
    "swarm": "h0 seeds, h1..h(N-1) fetch at once, find each other through the tracker and "
             "serve each other the pieces they have (--listen)",
    "swarm-lan": "as swarm, but peers find each other by LAN discovery instead of a tracker",
    "churn": "as swarm, but some leechers are killed (SIGKILL) part-way through and restarted "
             "with the same command; they must resume and everyone must finish",
    "heterogeneous": "as swarm, but a quarter of the leechers (h4, h8, ...) have a tenth of the "
                     "uplink: slow peers must not hold back the fast ones",
    "racks": "as swarm, on two bridges (racks) of half the hosts each, joined by an uplink of "
             "--rack-uplink each way (default: a quarter of a rack's summed host uplinks)",
    "late": "as swarm, but a quarter of the leechers (h3, h7, ...) start only at --late-at "
            "of the bound: they join a swarm already under way",
}
SCENARIOS = list(DESCRIPTIONS)


@dataclasses.dataclass
class HostSpec:
    name: str
    role: str  # seeder, source, leecher, peer, tracker
    up_bps: int | None
    down_bps: int | None
    address: str
    rack: int = 0  # the racks scenario: which bridge the host is on (0 holds the seeder)


@dataclasses.dataclass
class Service:
    host: str
    label: str
    argv: list
    ready: str  # regex its stdout matches once it is listening


@dataclasses.dataclass
class Fetch:
    host: str
    label: str
    argv: list
    output: str  # the final path that appears once the file is complete and verified
    payload: str  # which payload it must be byte-identical to
    churn_victim: bool = False
    start_at: float = 0.0  # seconds after the clock starts (the late scenario's joiners)


@dataclasses.dataclass
class Plan:
    scenario: str
    hosts: list
    payload_sizes: dict  # payload name -> bytes
    placements: list  # (host name, payload name): copies present before the start
    services: list
    fetches: list
    bound: bounds.Bound
    parameters: dict
    churn: dict | None = None
    notes: list = dataclasses.field(default_factory=list)  # what was adapted to this xfer build

    def adapt_to(self, capabilities):
        """Fits every command to what the xfer binary accepts (see capabilities.py)."""
        for command in self.services + self.fetches:
            command.argv = capabilities.adapt(command.argv, self.scenario, self.notes)


class Layout:
    """Where each host keeps its files inside one run's directory."""

    def __init__(self, run_dir):
        self.run_dir = run_dir

    def share_dir(self, host_name):
        return os.path.join(self.run_dir, host_name, "share")

    def out_dir(self, host_name):
        return os.path.join(self.run_dir, host_name, "out")

    def log_dir(self, host_name):
        return os.path.join(self.run_dir, host_name, "logs")


def _host(index, role, settings, up=None):
    return HostSpec(f"h{index}", role, settings.up if up is None else up, settings.down,
                    netns.default_address(index))


def _serve(xfer, layout, host, extra=()):
    return Service(host.name, "serve", [xfer, "serve", layout.share_dir(host.name), "--listen",
                                        f"{host.address}:{SERVE_PORT}", *extra], SERVE_READY)


def _fetch_argv(xfer, layout, host, sources_and_options, payload):
    return [xfer, "fetch", *sources_and_options, payload, "-o", layout.out_dir(host.name)]


def plan_single(settings, xfer, layout):
    count = settings.hosts or DEFAULT_HOSTS["single"]
    source = _host(0, "source", settings)
    fetchers = [_host(i, "leecher", settings) for i in range(1, count)]
    source_endpoint = f"{source.address}:{SERVE_PORT}"
    fetches = [Fetch(h.name, "fetch", _fetch_argv(xfer, layout, h, [source_endpoint], PAYLOAD),
                     os.path.join(layout.out_dir(h.name), PAYLOAD), PAYLOAD) for h in fetchers]
    bound = bounds.single_source(settings.size * 8, len(fetchers), source.up_bps,
                                 [h.down_bps for h in fetchers])
    return Plan("single", [source] + fetchers, {PAYLOAD: settings.size}, [(source.name, PAYLOAD)],
                [_serve(xfer, layout, source, ["--no-lan"])], fetches, bound,
                {"sources": 1, "fetchers": len(fetchers)})


def plan_sources(settings, xfer, layout):
    count = settings.hosts or DEFAULT_HOSTS["sources"]
    if count < 2:
        raise ValueError("sources needs at least 2 hosts (k sources + 1 fetcher)")
    sources = [_host(i, "source", settings) for i in range(count - 1)]
    fetcher = _host(count - 1, "leecher", settings)
    froms = [arg for s in sources for arg in ("--from", f"{s.address}:{SERVE_PORT}")]
    fetch = Fetch(fetcher.name, "fetch", _fetch_argv(xfer, layout, fetcher, froms, PAYLOAD),
                  os.path.join(layout.out_dir(fetcher.name), PAYLOAD), PAYLOAD)
    bound = bounds.k_sources(settings.size * 8, [s.up_bps for s in sources], fetcher.down_bps)
    return Plan("sources", sources + [fetcher], {PAYLOAD: settings.size},
                [(s.name, PAYLOAD) for s in sources],
                [_serve(xfer, layout, s, ["--no-lan"]) for s in sources], [fetch], bound,
                {"sources": len(sources), "fetchers": 1})


def plan_mutual(settings, xfer, layout):
    count = settings.hosts or DEFAULT_HOSTS["mutual"]
    if count < 2:
        raise ValueError("mutual needs at least 2 hosts")
    hosts = [_host(i, "peer", settings) for i in range(count)]
    part_size = settings.size // count
    parts = {f"part-{i}.bin": part_size for i in range(count)}
    fetches = []
    for receiver in hosts:
        for owner_index, owner in enumerate(hosts):
            if owner is receiver:
                continue
            part = f"part-{owner_index}.bin"
            fetches.append(Fetch(receiver.name, f"fetch-{part[:-4]}",
                                 _fetch_argv(xfer, layout, receiver,
                                             [f"{owner.address}:{SERVE_PORT}"], part),
                                 os.path.join(layout.out_dir(receiver.name), part), part))
    bound = bounds.mutual_exchange(part_size * count * 8, count, [h.up_bps for h in hosts],
                                   [h.down_bps for h in hosts])
    return Plan("mutual", hosts, parts, [(h.name, f"part-{i}.bin") for i, h in enumerate(hosts)],
                [_serve(xfer, layout, h, ["--no-lan"]) for h in hosts], fetches, bound,
                {"part_bytes": part_size, "parts": count})


def _leecher_up(scenario, index, settings):
    """The uplink of leecher h<index>: --up, or a tenth of it for every fourth heterogeneous one."""
    if scenario != "heterogeneous" or index % 4 != 0 or settings.up is None:
        return settings.up
    return max(1, settings.up // SLOW_SHARE)


def plan_swarm(settings, xfer, layout, scenario="swarm"):
    count = settings.hosts or DEFAULT_HOSTS[scenario]
    if count < 2:
        raise ValueError(f"{scenario} needs at least 2 hosts (1 seeder + leechers)")
    discovery_mode = "lan" if scenario == "swarm-lan" else settings.discovery
    seeder = _host(0, "seeder", settings, up=settings.seeder_up)
    leechers = [_host(i, "leecher", settings, up=_leecher_up(scenario, i, settings))
                for i in range(1, count)]
    services, hosts = [], [seeder] + leechers
    if discovery_mode == "lan":
        discovery, seed_options = ["--lan"], []
    elif discovery_mode == "static":
        # Every leecher is told every other host: the data plane without discovery.
        discovery, seed_options = [], []
    else:
        tracker = HostSpec("tr", "tracker", None, None, TRACKER_ADDRESS)
        hosts.append(tracker)
        endpoint = f"{TRACKER_ADDRESS}:{TRACKER_PORT}"
        services.append(Service("tr", "tracker", [xfer, "tracker", "--listen", endpoint],
                                TRACKER_READY))
        discovery = ["--tracker", TRACKER_LOCATOR]
        seed_options = ["--tracker", TRACKER_LOCATOR, "--no-lan"]
    services.append(_serve(xfer, layout, seeder, seed_options))
    linger = ["--linger", f"{settings.linger:g}"] if settings.linger is not None else []
    fetches = []
    for h in leechers:
        options = list(discovery)
        if discovery_mode == "static":
            for other in [seeder] + leechers:
                if other is not h:
                    options += ["--from", f"{other.address}:{SERVE_PORT}"]
        options += ["--listen", f"{h.address}:{SERVE_PORT}"] + linger
        fetches.append(Fetch(h.name, "fetch", _fetch_argv(xfer, layout, h, options, PAYLOAD),
                             os.path.join(layout.out_dir(h.name), PAYLOAD), PAYLOAD))
    churn = None
    if scenario == "churn":
        victims = settings.churn_victims or max(1, len(leechers) // 3)
        # Spread the victims over the leechers: the 2nd, 5th, 8th, ... (then any left).
        order = list(range(1, len(fetches), 3)) + [i for i in range(len(fetches))
                                                   if i % 3 != 1]
        for index in order[:victims]:
            fetches[index].churn_victim = True
        churn = {"at_fraction": settings.churn_at, "down_seconds": settings.churn_down,
                 "victims": [fetches[i].host for i in sorted(order[:victims])]}
    parameters = {"leechers": len(leechers), "discovery": discovery_mode}
    if scenario == "racks":
        bound = _place_in_racks(settings, [seeder] + leechers, parameters)
        _label_sites(seeder, services, leechers, fetches)
    else:
        bound = bounds.swarm(settings.size * 8, seeder.up_bps, [h.up_bps for h in leechers],
                             [h.down_bps for h in leechers])
    if scenario == "late":
        bound = _start_late(settings, bound, leechers, fetches, parameters)
    if scenario == "heterogeneous":
        _bound_the_fast_hosts(settings, seeder, leechers, parameters)
    return Plan(scenario, hosts, {PAYLOAD: settings.size}, [(seeder.name, PAYLOAD)], services,
                fetches, bound, parameters, churn)


def _bound_the_fast_hosts(settings, seeder, leechers, parameters):
    """Heterogeneous: which leechers have the full uplink, and the bound they get (issue 13's
    target is their p99 against it, not the whole swarm's)."""
    fast = [h for h in leechers if h.up_bps == settings.up]
    bound = bounds.fast_hosts(settings.size * 8, seeder.up_bps, [h.down_bps for h in fast],
                              [h.up_bps for h in leechers])
    parameters.update({"fast_hosts": [h.name for h in fast],
                       "fast_bound_seconds": round(bound.seconds, 3) if bound.seconds else None})


def _start_late(settings, bound, leechers, fetches, parameters):
    """Every LATE_EVERY-th leecher starts at --late-at of the swarm's bound; returns the bound
    with the joiners' own term (bounds.late)."""
    start = settings.late_at * (bound.seconds or 0.0)
    late = [index for index in range(len(fetches)) if (index + 2) % LATE_EVERY == 0]
    for index in late:
        fetches[index].start_at = start
    parameters.update({"late_joiners": [fetches[i].host for i in late], "late_start_seconds": start})
    return bounds.late(bound, settings.size * 8, start, [leechers[i].down_bps for i in late])


def rack_uplink(settings, hosts_per_rack):
    """--rack-uplink, or a quarter of the summed uplinks of a rack's hosts (None: uncapped)."""
    if getattr(settings, "rack_uplink", None) is not None:
        return settings.rack_uplink
    if settings.up is None:
        return None
    return max(1, settings.up * hosts_per_rack // RACK_UPLINK_SHARE)


def _place_in_racks(settings, swarm_hosts, parameters):
    """Splits the hosts into RACKS halves (h0 first) and returns the racks bound."""
    per_rack = -(-len(swarm_hosts) // RACKS)
    for index, host in enumerate(swarm_hosts):
        host.rack = index // per_rack
    uplink = rack_uplink(settings, per_rack)
    parameters.update({"racks": RACKS, "hosts_per_rack": per_rack, "rack_uplink_bps": uplink})
    seeder, leechers = swarm_hosts[0], swarm_hosts[1:]
    by_rack = [[h.up_bps for h in leechers if h.rack == r] for r in range(RACKS)]
    return bounds.racks(settings.size * 8, seeder.up_bps, by_rack, uplink)


def site_label(host):
    return f"rack{host.rack}"


def _label_sites(seeder, services, leechers, fetches):
    """Tells every xfer of the racks scenario its rack (`--site rackN`): what a deployment knows
    of its topology, so xfer can keep the uplink for what a rack lacks (issue 13)."""
    for service in services:
        if service.host == seeder.name:
            service.argv += ["--site", site_label(seeder)]
    by_name = {h.name: h for h in leechers}
    for fetch in fetches:
        fetch.argv += ["--site", site_label(by_name[fetch.host])]


def make_plan(scenario, settings, xfer, layout):
    if scenario == "single":
        plan = plan_single(settings, xfer, layout)
    elif scenario == "sources":
        plan = plan_sources(settings, xfer, layout)
    elif scenario == "mutual":
        plan = plan_mutual(settings, xfer, layout)
    elif scenario in ("swarm", "swarm-lan", "churn", "heterogeneous", "racks", "late"):
        plan = plan_swarm(settings, xfer, layout, scenario)
    else:
        raise ValueError(f"unknown scenario '{scenario}' (one of: {', '.join(SCENARIOS)})")
    # Extra arguments (-v for logs, say) go last, where they cannot split an option from its value.
    for fetch in plan.fetches:
        fetch.argv += shlex.split(getattr(settings, "fetch_args", ""))
    for service in plan.services:
        if service.label == "serve":
            service.argv += shlex.split(getattr(settings, "serve_args", ""))
    return plan
