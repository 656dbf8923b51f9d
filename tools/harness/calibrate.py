"""`lan-harness calibrate`: how close do the tbf caps come to their nominal rates?

Runs plain TCP bulk transfers (a few lines of Python inside the namespaces, no xfer involved)
between test hosts and compares the payload rate the receiver sees with the cap. A TCP payload
can never reach the cap itself: tbf counts whole frames, so every 1448 payload bytes cost 1514
bytes of cap at MTU 1500 (Ethernet 14 + IP 20 + TCP 20 + timestamps 12). The report gives both
the ratio to the nominal rate and to that payload ceiling.
"""

import json
import subprocess
import sys
import time

from harness import netns, units

# Receiver: accepts `streams` connections, reads them to EOF, prints bytes and the span from the
# first byte to the last. Sender: opens `streams` connections and pushes `size` bytes on each.
_RECEIVER = r"""
import socket, sys, threading, time, json
address, port, streams = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((address, port)); listener.listen(streams); print("ready", flush=True)
totals, first, last, lock = [0], [None], [0.0], threading.Lock()
def drain(conn):
    buffer = bytearray(1 << 20)
    while True:
        count = conn.recv_into(buffer)
        now = time.monotonic()
        if not count: break
        with lock:
            if first[0] is None: first[0] = now
            totals[0] += count; last[0] = now
threads = []
for _ in range(streams):
    conn, _ = listener.accept()
    thread = threading.Thread(target=drain, args=(conn,)); thread.start(); threads.append(thread)
for thread in threads: thread.join()
print(json.dumps({"bytes": totals[0], "seconds": last[0] - first[0]}), flush=True)
"""
_SENDER = r"""
import socket, sys, threading
address, port, streams, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def push():
    conn = socket.create_connection((address, port))
    chunk, left = memoryview(bytes(1 << 20)), size
    while left > 0:
        sent = conn.send(chunk[:min(left, len(chunk))]); left -= sent
    conn.shutdown(socket.SHUT_WR); conn.recv(1); conn.close()
threads = [threading.Thread(target=push) for _ in range(streams)]
for thread in threads: thread.start()
for thread in threads: thread.join()
"""

def payload_ceiling(mtu):
    """Share of a tbf cap a bulk TCP payload can use: MSS / frame, with TCP timestamps on."""
    mss = mtu - 20 - 20 - 12
    return mss / (mss + 20 + 20 + 12 + 14)


def _start_receiver(lab, host, port, streams):
    proc = subprocess.Popen(lab.command_in(host, [sys.executable, "-c", _RECEIVER, host.address,
                                                  str(port), str(streams)]),
                            stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise netns.HarnessError(f"calibration receiver on {host.name} did not start")
    return proc


def measure(lab, flows, rate, seconds):
    """flows: [(receiver host, [(sender host, streams), ...])], all running at the same time.
    Returns the payload bit/s each receiver saw from its first byte to its last."""
    receivers, senders = [], []
    for number, (receiver, sources) in enumerate(flows):
        port = 5100 + number
        total_streams = sum(streams for _, streams in sources)
        receivers.append(_start_receiver(lab, receiver, port, total_streams))
        size = max(1 << 20, int(rate / 8 * seconds / total_streams))
        for sender, streams in sources:
            senders.append(subprocess.Popen(lab.command_in(
                sender, [sys.executable, "-c", _SENDER, receiver.address, str(port),
                         str(streams), str(size)])))
    for proc in senders:
        proc.wait(timeout=seconds * 20 + 30)
    results = []
    for proc in receivers:
        out, _ = proc.communicate(timeout=30)
        stats = json.loads(out.strip().splitlines()[-1])
        results.append(stats["bytes"] * 8 / stats["seconds"] if stats["seconds"] > 0 else 0.0)
    return results


def run(rates, seconds, mtu, queue_milliseconds, as_json, out=sys.stdout):
    ceiling = payload_ceiling(mtu)
    rows = []
    for rate in rates:
        cases = [
            ("upload cap, 1 stream", dict(up=rate, down=None), [(1, [(0, 1)])]),
            ("upload cap, 8 streams", dict(up=rate, down=None), [(1, [(0, 8)])]),
            ("download cap, 2 senders x 4 streams", dict(up=None, down=rate),
             [(2, [(0, 4), (1, 4)])]),
            ("both caps, both directions at once", dict(up=rate, down=rate),
             [(1, [(0, 4)]), (0, [(1, 4)])]),
        ]
        for label, caps, flows in cases:
            lab = netns.Lab(mtu=mtu, queue_milliseconds=queue_milliseconds)
            try:
                lab.start()
                hosts = [lab.add_host(f"h{i}", caps["up"], caps["down"]) for i in range(3)]
                lab.wait_until_reachable()
                started = time.monotonic()
                achieved = measure(lab, [(hosts[r], [(hosts[s], n) for s, n in sources])
                                         for r, sources in flows], rate, seconds)
                elapsed = time.monotonic() - started
            finally:
                lab.teardown()
            for flow_number, bits_per_second in enumerate(achieved):
                rows.append({"nominal_bps": rate, "case": label, "flow": flow_number,
                             "payload_bps": round(bits_per_second),
                             "ratio_to_nominal": round(bits_per_second / rate, 4),
                             "ratio_to_payload_ceiling": round(bits_per_second / rate / ceiling, 4),
                             "wall_seconds": round(elapsed, 2)})
    if as_json:
        json.dump({"mtu": mtu, "payload_ceiling": round(ceiling, 4), "rows": rows}, out, indent=2)
        out.write("\n")
        return rows
    out.write(f"tbf accuracy (MTU {mtu}: a TCP payload can reach at most {ceiling:.2%} of a cap)\n")
    out.write(f"{'cap':>10}  {'case':<38}{'flow':>4}  {'payload':>12}  {'/cap':>6}  "
              f"{'/ceiling':>8}\n")
    for row in rows:
        out.write(f"{units.format_rate(row['nominal_bps']):>10}  {row['case']:<38}"
                  f"{row['flow']:>4}  {row['payload_bps'] / 1e6:>7.1f} Mbit  "
                  f"{row['ratio_to_nominal']:>6.3f}  {row['ratio_to_payload_ceiling']:>8.3f}\n")
    return rows
