"""One xfer process running inside a test host's namespace, with its output kept in log files.

Output goes to files rather than pipes: nothing can block on a full pipe while the harness is
busy polling, and the logs stay behind (with --keep) for reading after a failed run.
"""

import os
import re
import signal
import subprocess
import time


def describe_exit(code):
    """'exit 1', or 'killed by SIGSEGV' for Popen's negative codes."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


class HostProcess:
    """Starts, watches and stops one command in one namespace. Restartable (churn)."""

    def __init__(self, lab, host, argv, log_dir, label):
        self.lab = lab
        self.host = host
        self.argv = list(argv)
        self.label = label
        self.log_dir = log_dir
        self.incarnation = 0
        self.proc = None
        self.stdout_path = self.stderr_path = None

    def start(self):
        self.incarnation += 1
        suffix = "" if self.incarnation == 1 else f".{self.incarnation}"
        self.stdout_path = os.path.join(self.log_dir, f"{self.label}{suffix}.stdout")
        self.stderr_path = os.path.join(self.log_dir, f"{self.label}{suffix}.stderr")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # Own session: a Ctrl-C at the terminal reaches the harness only, which then stops
            # every process itself, in order, and tears the network down.
            self.proc = subprocess.Popen(self.lab.command_in(self.host, self.argv),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_code(self):
        return None if self.proc is None else self.proc.poll()

    def stdout_text(self):
        return _read(self.stdout_path)

    def stderr_tail(self, lines=3):
        text = _read(self.stderr_path).strip().splitlines()
        return " | ".join(text[-lines:])

    def wait_for_line(self, pattern, timeout_seconds):
        """Waits until stdout has a line matching `pattern`; returns the match. Raises
        RuntimeError naming the process if it exits or the time runs out first."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout_seconds
        while True:
            match = regex.search(self.stdout_text())
            if match:
                return match
            if not self.running():
                raise RuntimeError(f"{self.label} on {self.host.name} ended ("
                                   f"{describe_exit(self.exit_code())}) before printing "
                                   f"/{pattern}/: "
                                   f"{self.stderr_tail() or '(no stderr)'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.label} on {self.host.name} did not print /{pattern}/ "
                                   f"within {timeout_seconds:g}s")
            time.sleep(0.02)

    def kill_hard(self):
        """SIGKILL, as a crash or a pulled cable would end it. Returns once it is gone."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self, signal_number=signal.SIGTERM, timeout_seconds=5.0):
        """Asks the process to end, escalates to SIGKILL after the timeout; returns the exit
        code (negative signal number if it had to be killed)."""
        if self.proc is None:
            return None
        if self.running():
            try:
                os.kill(self.proc.pid, signal_number)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout_seconds)
            except subprocess.TimeoutExpired:
                self.kill_hard()
        return self.proc.returncode

    def wait(self, timeout_seconds):
        """Waits for the process to end by itself; None if it is still running at the end."""
        try:
            return self.proc.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            return None


def _read(path):
    if not path:
        return ""
    try:
        with open(path, "r", errors="replace") as log:
            return log.read()
    except FileNotFoundError:
        return ""
