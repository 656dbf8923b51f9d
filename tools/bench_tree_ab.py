#!/usr/bin/env python3
"""tools/bench_tree_ab.py OLD NEW RUNS [DIR]: two xfer binaries on the tools/bench tree (20,000 x
4 KiB + 200 x 1 MiB), alternating sample by sample in one run, for a loaded machine where only
a same-run comparison means anything (docs/BENCHMARKS.md). Each binary has a warm `xfer serve`
with its own --home (manifest cached); each sample: sync, the source read into page cache, the
old destination moved to trash/, then the timed fetch (wall, CPU from wait4, peak RSS) and the serve's
CPU for it (/proc), and diff -r. DIR defaults to /var/tmp/xfer-bench/tree-bench."""
import importlib.machinery, importlib.util, os, shutil, statistics, subprocess, sys, time
from pathlib import Path
REPO = Path(__file__).resolve().parent.parent
def load(name, path):
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec); loader.exec_module(mod); return mod
bench = load("bench", REPO / "tools/bench")
sys.path.insert(0, str(REPO / "tools"))
import bench_tree
os.environ["XFER_LAN"] = "off"
old, new, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
work = Path(sys.argv[4]) if len(sys.argv) > 4 else Path("/var/tmp/xfer-bench/tree-bench")
share = work / "share"
share.mkdir(parents=True, exist_ok=True)
if not (share / ".tree-complete").exists():
    bench_tree.make_tree(share / "tree", bench.log)
servers = {}
for label, binary in (("old", old), ("new", new)):
    w = work / f"cmp-{label}"; w.mkdir(exist_ok=True)
    servers[label] = (binary, w, bench.xfer_server(binary, share, w))
def sample(label):
    binary, w, server = servers[label]
    dst = w / "dst"
    bench_tree.settle(share, dst)
    pid = server.process.pid
    before = bench.process_cpu(pid); busy0 = bench.machine_busy_seconds()
    r = bench.run_timed([str(binary), "fetch", f"127.0.0.1:{server.port}", "tree/", "-o", str(dst), "-q",
                         "--home", str(w / "fetch-home")], stderr_path=w / "fetch.err")
    after = bench.process_cpu(pid); busy = bench.machine_busy_seconds() - busy0
    if r["rc"] != 0: raise RuntimeError(label + ": " + (w / "fetch.err").read_text()[-300:])
    if not bench_tree.same_tree(share / "tree", dst / "tree"): raise RuntimeError(label + " differs")
    send = sum(after) - sum(before); recv = r["user"] + r["sys"]
    return dict(tool=label, wall=r["wall"], recv_user=r["user"], recv_sys=r["sys"], send=send,
                send_user=after[0]-before[0], send_sys=after[1]-before[1], rss=r["rss_kib"],
                other=max(0.0, busy - recv - send))
samples = []
try:
    for _, _, s in servers.values(): s.start()
    for label in servers: sample(label)  # warm: manifests cached
    for run in range(runs):
        order = ("old", "new") if run % 2 == 0 else ("new", "old")
        for label in order:
            s = sample(label); samples.append(s)
            bench.log(f"{label}: wall {s['wall']:.3f} recv {s['recv_user']:.2f}+{s['recv_sys']:.2f} "
                      f"send {s['send_user']:.2f}+{s['send_sys']:.2f} rss {s['rss']//1024} MiB other {s['other']:.2f}")
finally:
    for _, _, s in servers.values(): s.stop()
    for label in servers: bench_tree.empty_trash(work / f"cmp-{label}")
print(f"{'build':<5} {'runs':>4} {'wall med':>9} {'recv u+s':>10} {'send u+s':>10} {'total cpu':>9} {'rss MiB':>7} {'other cpu':>9}")
for label in ("old", "new"):
    ss = [s for s in samples if s["tool"] == label]
    med = lambda k: statistics.median(s[k] for s in ss)
    print(f"{label:<5} {len(ss):>4} {med('wall'):>9.3f} {med('recv_user'):>4.2f}+{med('recv_sys'):<5.2f}"
          f" {med('send_user'):>4.2f}+{med('send_sys'):<5.2f} {statistics.median(s['recv_user']+s['recv_sys']+s['send'] for s in ss):>9.2f}"
          f" {max(s['rss'] for s in ss)//1024:>7} {med('other'):>9.2f}")
