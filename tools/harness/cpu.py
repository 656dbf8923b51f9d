"""Samples the whole machine's CPU use (/proc/stat) about once a second while a run goes on.

Every host of the test LAN shares this machine's cores, and so do other people's builds. When
the cores are saturated, the run measures the box, not xfer; when they are nearly idle while
hosts are unfinished, xfer is waiting on something (a timeout, a backoff). The arithmetic is in
stats.py; this only reads the counters.
"""

import os
import time

from harness import stats

INTERVAL_SECONDS = 1.0


def read_proc_stat(path="/proc/stat"):
    with open(path) as proc_stat:
        return stats.parse_proc_stat(proc_stat.read())


class CpuSampler:
    def __init__(self, reader=read_proc_stat, clock=time.monotonic):
        self._reader = reader
        self._clock = clock
        self._started = None
        self._next = None
        self.cores = os.cpu_count() or 1
        self.snapshots = []  # (seconds since start, busy jiffies, total jiffies)

    def start(self):
        self._started = self._clock()
        self.snapshots = []
        self._take(0.0)

    def poll(self):
        """Takes a snapshot if a second has passed since the last one; cheap otherwise."""
        if self._started is None:
            return
        now = self._clock() - self._started
        if now >= self._next:
            self._take(now)

    def finish(self):
        """A last snapshot, so the series reaches the end of the run."""
        if self._started is not None:
            now = self._clock() - self._started
            if not self.snapshots or now - self.snapshots[-1][0] >= 0.2:
                self._take(now)

    def series(self):
        return stats.cpu_series(self.snapshots, self.cores)

    def _take(self, now):
        busy, total, cores = self._reader()
        self.cores = cores
        self.snapshots.append((round(now, 3), busy, total))
        self._next = now + INTERVAL_SECONDS
