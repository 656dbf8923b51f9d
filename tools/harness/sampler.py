"""Samples every host's link counters and queue backlogs while a scenario runs.

What can be seen from outside the xfer processes is what crosses each host's link: the switch
port's counters give the bytes the host sent (port rx = host upload) and the bytes delivered to
it (port tx = host download). The tbf backlogs say how much is waiting behind each cap; divided
by the rate, that is how long a request sent now would wait behind data already queued.
"""

import time

from harness import netlink, netns


class Sample:
    __slots__ = ("seconds", "up_bytes", "down_bytes", "up_backlog", "down_backlog")

    def __init__(self, seconds, up_bytes, down_bytes, up_backlog, down_backlog):
        self.seconds = seconds
        self.up_bytes = up_bytes  # per host, cumulative since the baseline
        self.down_bytes = down_bytes
        self.up_backlog = up_backlog  # per host, bytes queued in its upload / download tbf now
        self.down_backlog = down_backlog


class Sampler:
    def __init__(self, lab, hosts):
        self.hosts = list(hosts)
        self._switch = netlink.NamespaceStats(lab.switch_netns)
        self._host_stats = [netlink.NamespaceStats(host.netns) for host in self.hosts]
        self._port_index = {self._switch.ifindex(h.switch_port): n for n, h in enumerate(hosts)}
        self._host_ifindex = [stats.ifindex(netns.HOST_INTERFACE) for stats in self._host_stats]
        self._baseline = None
        self._started = None
        self.samples = []
        self._rack_links = [f"r{r}" for r in range(1, lab.racks)]
        self._rack_baseline = {}

    def close(self):
        self._switch.close()
        for stats in self._host_stats:
            stats.close()

    def _counters(self):
        links = self._switch.link_bytes()
        up = [links[h.switch_port][0] for h in self.hosts]
        down = [links[h.switch_port][1] for h in self.hosts]
        return up, down

    def start(self):
        """Takes the baseline: every later number is relative to this instant."""
        self._started = time.monotonic()
        self._baseline = self._counters()
        self._rack_baseline = self._rack_counters()
        self.samples = []
        self.sample()

    def sample(self):
        now = time.monotonic() - self._started
        up, down = self._counters()
        up = [value - base for value, base in zip(up, self._baseline[0])]
        down = [value - base for value, base in zip(down, self._baseline[1])]
        down_queues = self._switch.root_qdiscs()
        down_backlog = [0] * len(self.hosts)
        for ifindex, entry in down_queues.items():
            if ifindex in self._port_index and entry["kind"] == "tbf":
                down_backlog[self._port_index[ifindex]] = entry["backlog"]
        up_backlog = []
        for stats, ifindex in zip(self._host_stats, self._host_ifindex):
            entry = stats.root_qdiscs().get(ifindex, {})
            up_backlog.append(entry.get("backlog", 0) if entry.get("kind") == "tbf" else 0)
        sample = Sample(now, up, down, up_backlog, down_backlog)
        self.samples.append(sample)
        return sample

    def latest(self):
        return self.samples[-1] if self.samples else None

    def totals(self):
        """(up bytes, down bytes) per host since the baseline, read now."""
        up, down = self._counters()
        return ([value - base for value, base in zip(up, self._baseline[0])],
                [value - base for value, base in zip(down, self._baseline[1])])

    def _rack_counters(self):
        """{rack link: (bytes into the rack, bytes out of it)}: r<r>a sends from br0 into rack
        r, r<r>b sends from rack r up to br0 (see netns.add_rack)."""
        if not self._rack_links:
            return {}
        links = self._switch.link_bytes()
        return {name: (links[name + "a"][1], links[name + "b"][1]) for name in self._rack_links}

    def rack_link_totals(self):
        """{rack number: {"bytes_in", "bytes_out"}} since the baseline (racks scenario only)."""
        now = self._rack_counters()
        return {int(name[1:]): {"bytes_in": now[name][0] - self._rack_baseline[name][0],
                                "bytes_out": now[name][1] - self._rack_baseline[name][1]}
                for name in now}
