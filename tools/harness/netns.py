"""The test LAN: one network namespace per host, all joined by a bridge in a "switch" namespace.

    host namespace xh<run>-h3                 switch namespace xh<run>-sw
    +------------------------------+          +----------------------------------+
    | eth0 10.78.1.4/16            |  veth    |  p3 --+                          |
    |   egress tbf = upload cap  --+--------->+-- egress tbf = download cap      |
    +------------------------------+          |       +-- bridge br0 -- p0 p1 .. |
                                              +----------------------------------+

The root namespace is never touched: no interface, route or address is added there, so the
harness cannot reach or disturb the machine's real network, and the hosts can only reach each
other.

Every host knows every other host's MAC address from the start (permanent neighbour entries,
pin_neighbours): the kernel's ARP table is one for the whole machine, shared by all namespaces,
and its default limit (net.ipv4.neigh.default.gc_thresh3 = 1024 entries) is below what 32 or more
hosts that all talk to each other need (N x N). Past it the kernel drops new entries ("neighbor
table overflow"), and a host's connections to peers it has not reached yet sit in SYN-SENT
until they time out: at 64 hosts half of them fetched everything from the seeder (issue 13).
Permanent entries are not counted against that limit, and no machine-wide setting is changed. Every name starts with "xh<run id>-" so a run's namespaces are recognisable and a stale
run's leftovers can be removed by `lan-harness cleanup`.
"""

import json
import os
import re
import signal
import subprocess
import time

NAMESPACE_PATTERN = re.compile(r"^xh(\d+)-[a-z0-9]+$")
SUBNET_PREFIX_LENGTH = 16  # every address is in 10.78.0.0/16
BRIDGE_NAME = "br0"
HOST_INTERFACE = "eth0"
# racks: rack r's hosts are on bridge br<r>; rack r > 0 reaches br0 through the veth pair
# r<r>a (on br0) - r<r>b (on br<r>), capped each way by the rack uplink.

# Token bucket sizing (see docs/HARNESS.md, "How the caps are made"). The bucket must hold at
# least one whole GSO super-packet (64 KiB), or tbf splits every one of them into MTU-sized
# segments in software; beyond that a small multiple of the per-millisecond volume keeps short
# idle gaps from being lost without letting a burst run far ahead of the nominal rate.
_MIN_BURST_BYTES = 96 * 1024
_BURST_MILLISECONDS = 2


def default_address(index):
    """10.78.1.1, 10.78.1.2, ...: test host `index`. 10.78.0.x is left for uncapped services."""
    return f"10.78.{1 + index // 250}.{1 + index % 250}"


class HarnessError(RuntimeError):
    """The test network could not be built or driven; the message says which step failed."""


def run_command(argv, check=True):
    """Runs an iproute2 command; on failure raises HarnessError quoting the command and stderr."""
    result = subprocess.run(argv, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise HarnessError(f"'{' '.join(argv)}' failed: {result.stderr.strip()}")
    return result


def tbf_arguments(rate_bits_per_second, queue_milliseconds):
    """tc arguments for a token bucket that lets `rate` through and queues `queue_ms` of it."""
    bytes_per_second = rate_bits_per_second // 8
    burst = max(_MIN_BURST_BYTES, bytes_per_second * _BURST_MILLISECONDS // 1000)
    limit = burst + bytes_per_second * queue_milliseconds // 1000
    return ["tbf", "rate", f"{rate_bits_per_second}bit", "burst", str(burst),
            "limit", str(limit)]


def neighbour_batch(host, hosts, macs):
    """`ip -batch` lines that give `host` a permanent neighbour entry for every other host."""
    return "".join(f"neigh replace {other.address} lladdr {macs[other.name]} "
                   f"dev {HOST_INTERFACE} nud permanent\n"
                   for other in hosts if other.name != host.name)


ARP_STATS = "/proc/net/stat/arp_cache"


def parse_table_fulls(text):
    """Times the ARP table was full, summed over the CPUs' lines of /proc/net/stat/arp_cache
    (a header, then one line of hex counters per CPU); None if the file has no such column."""
    rows = text.strip().splitlines()
    if not rows or "table_fulls" not in rows[0].split():
        return None
    column = rows[0].split().index("table_fulls")
    return sum(int(row.split()[column], 16) for row in rows[1:] if len(row.split()) > column)


def neighbour_table_fulls():
    """The machine-wide count of ARP table overflows so far (None where it cannot be read)."""
    try:
        with open(ARP_STATS) as stats:
            return parse_table_fulls(stats.read())
    except OSError:
        return None


def rack_bridge(rack):
    return BRIDGE_NAME if rack == 0 else f"br{rack}"


class Host:
    """One test host: its namespace, address and the caps on its link to the switch."""

    def __init__(self, index, name, netns, address, up_bps, down_bps, rack=0):
        self.index = index
        self.rack = rack
        self.name = name
        self.netns = netns
        self.address = address
        self.up_bps = up_bps
        self.down_bps = down_bps
        self.switch_port = f"p{index}"


class Lab:
    """Creates the namespaces, bridge, links and caps; tears all of it down exactly once."""

    def __init__(self, run_id=None, mtu=1500, queue_milliseconds=100):
        self.run_id = run_id if run_id is not None else os.getpid()
        self.prefix = f"xh{self.run_id}-"
        self.switch_netns = self.prefix + "sw"
        self.mtu = mtu
        self.queue_milliseconds = queue_milliseconds
        self.hosts = []
        self.racks = 1  # bridges: br0, and br1.. from add_rack
        self._created = []  # namespaces in creation order, so teardown knows what is ours
        self._torn_down = False

    def start(self):
        self._add_namespace(self.switch_netns)
        self._ip(self.switch_netns, "link", "set", "lo", "up")
        self._ip(self.switch_netns, "link", "add", BRIDGE_NAME, "type", "bridge",
                 "forward_delay", "0", "stp_state", "0")
        # Frames must reach every port at once: no learning delay, no multicast snooping that
        # could hide LAN-discovery packets from a port that has not yet joined a group.
        self._ip(self.switch_netns, "link", "set", BRIDGE_NAME, "type", "bridge",
                 "mcast_snooping", "0")
        self._ip(self.switch_netns, "link", "set", BRIDGE_NAME, "up")

    def add_rack(self, rack, uplink_bps):
        """Bridge br<rack>, joined to br0 by a link of `uplink_bps` each way (None: uncapped)."""
        bridge, near, far = rack_bridge(rack), f"r{rack}a", f"r{rack}b"
        self._ip(self.switch_netns, "link", "add", bridge, "type", "bridge",
                 "forward_delay", "0", "stp_state", "0")
        self._ip(self.switch_netns, "link", "set", bridge, "type", "bridge", "mcast_snooping", "0")
        self._ip(self.switch_netns, "link", "set", bridge, "up")
        self._ip(self.switch_netns, "link", "add", near, "mtu", str(self.mtu), "type", "veth",
                 "peer", "name", far, "mtu", str(self.mtu))
        for end, owner in ((near, BRIDGE_NAME), (far, bridge)):
            self._ip(self.switch_netns, "link", "set", end, "master", owner)
            self._ip(self.switch_netns, "link", "set", end, "up")
            if uplink_bps is not None:
                self._tc(self.switch_netns, end, uplink_bps)
        self.racks = max(self.racks, rack + 1)

    def add_host(self, name, up_bps, down_bps, address=None, rack=0):
        index = len(self.hosts)
        if address is None:
            address = default_address(index)
        host = Host(index, name, self.prefix + name, address, up_bps, down_bps, rack)
        self._add_namespace(host.netns)
        self._ip(host.netns, "link", "set", "lo", "up")
        self._ip(self.switch_netns, "link", "add", host.switch_port, "mtu", str(self.mtu),
                 "type", "veth", "peer", "name", HOST_INTERFACE, "mtu", str(self.mtu),
                 "netns", host.netns)
        self._ip(self.switch_netns, "link", "set", host.switch_port, "master", rack_bridge(rack))
        self._ip(self.switch_netns, "link", "set", host.switch_port, "up")
        self._ip(host.netns, "addr", "add", f"{address}/{SUBNET_PREFIX_LENGTH}",
                 "dev", HOST_INTERFACE)
        self._ip(host.netns, "link", "set", HOST_INTERFACE, "up")
        # Egress of the host's own interface is what the host sends: its upload.
        if up_bps is not None:
            self._tc(host.netns, HOST_INTERFACE, up_bps)
        # Egress of the switch port is what the switch delivers to the host: its download.
        if down_bps is not None:
            self._tc(self.switch_netns, host.switch_port, down_bps)
        self.hosts.append(host)
        return host

    def wait_until_reachable(self, timeout_seconds=5.0):
        """Waits until no interface is still in tentative/link-down state (bridge ports up)."""
        deadline = time.monotonic() + timeout_seconds
        racks = self.racks
        while time.monotonic() < deadline:
            up = 0
            for rack in range(racks):
                up += run_command(["ip", "-n", self.switch_netns, "-o", "link", "show",
                                   "master", rack_bridge(rack)]).stdout.count("state UP")
            # Each rack past the first adds one uplink port on each of two bridges.
            if up >= len(self.hosts) + 2 * (racks - 1):
                return
            time.sleep(0.02)
        raise HarnessError("bridge ports did not come up within "
                           f"{timeout_seconds:g}s in {self.switch_netns}")

    def pin_neighbours(self):
        """Every host gets a permanent ARP entry for every other one (see the module's text)."""
        macs = {}
        for host in self.hosts:
            shown = run_command(["ip", "-n", host.netns, "-j", "link", "show", HOST_INTERFACE])
            macs[host.name] = json.loads(shown.stdout)[0]["address"]
        for host in self.hosts:
            argv = ["ip", "-n", host.netns, "-batch", "-"]
            result = subprocess.run(argv, input=neighbour_batch(host, self.hosts, macs),
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise HarnessError(f"'{' '.join(argv)}' failed: {result.stderr.strip()}")

    def command_in(self, host, argv):
        """The argv that runs `argv` inside the host's namespace."""
        return ["ip", "netns", "exec", host.netns] + list(argv)

    def teardown(self):
        """Kills every process left in our namespaces, then deletes them. Safe to call twice."""
        if self._torn_down:
            return
        self._torn_down = True
        remove_namespaces(list(reversed(self._created)))

    def _add_namespace(self, name):
        run_command(["ip", "netns", "add", name])
        self._created.append(name)

    def _ip(self, netns, *args):
        run_command(["ip", "-n", netns] + list(args))

    def _tc(self, netns, device, rate_bps):
        run_command(["tc", "-n", netns, "qdisc", "replace", "dev", device, "root"]
                    + tbf_arguments(rate_bps, self.queue_milliseconds))


def processes_in(netns):
    result = run_command(["ip", "netns", "pids", netns], check=False)
    return [int(pid) for pid in result.stdout.split() if pid.isdigit()]


def remove_namespaces(names):
    """SIGKILLs whatever still runs inside each namespace, then deletes the namespace."""
    for name in names:
        for pid in processes_in(name):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in names:
        run_command(["ip", "netns", "del", name], check=False)


def harness_namespaces():
    """{namespace name: run id} for every namespace that looks like one of ours."""
    out = run_command(["ip", "netns", "list"], check=False).stdout
    found = {}
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        match = NAMESPACE_PATTERN.match(name)
        if match:
            found[name] = int(match.group(1))
    return found


def run_is_alive(run_id):
    try:
        with open(f"/proc/{run_id}/cmdline", "rb") as cmdline:
            return b"lan-harness" in cmdline.read()
    except OSError:
        return False


def cleanup_stale(include_live=False):
    """Removes namespaces of harness runs that are no longer running. Returns their names."""
    stale = [name for name, run_id in harness_namespaces().items()
             if include_live or not run_is_alive(run_id)]
    # Host namespaces first, the switch last (the same order as a normal teardown).
    stale.sort(key=lambda name: name.endswith("-sw"))
    remove_namespaces(stale)
    return stale


def check_privileges():
    """None if namespaces can be made here, else a one-line reason why not."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces (run as root)"
    for tool in ("ip", "tc"):
        if run_command(["sh", "-c", f"command -v {tool}"], check=False).returncode != 0:
            return f"'{tool}' not found (install iproute2)"
    probe = f"xh{os.getpid()}-probe"
    result = run_command(["ip", "netns", "add", probe], check=False)
    if result.returncode != 0:
        return f"cannot create a network namespace: {result.stderr.strip()}"
    try:
        veth = run_command(["ip", "-n", probe, "link", "add", "name", "probe0", "type", "veth",
                            "peer", "name", "probe1"], check=False)
        if veth.returncode != 0:
            return f"cannot create veth pairs: {veth.stderr.strip()}"
        tbf = run_command(["tc", "-n", probe, "qdisc", "add", "dev", "probe0", "root"]
                          + tbf_arguments(100_000_000, 20), check=False)
        if tbf.returncode != 0:
            return f"cannot attach a tbf qdisc: {tbf.stderr.strip()}"
    finally:
        run_command(["ip", "netns", "del", probe], check=False)
    return None
