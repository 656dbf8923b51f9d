"""`tools/bench tree`: a tree of many small files (issue 11's targets), over loopback.

The tree: 20,000 files of 4 KiB (100 directories of 200) and 200 files of 1 MiB, random bytes.
Tools, interleaved run by run: `xfer fetch HOST tree/` from a warm `xfer serve` (verified and
durable when it exits); `rsync -a` from an rsync daemon, then `sync -f` (timed with it); `tar c |
nc` into `nc | tar x`, then `sync -f`; and "xfer cold": the first fetch from a freshly started
`xfer serve` whose manifest cache was dropped (nothing hashed yet). Before each sample: sync,
the source read into page cache, the old destination moved into trash/ (emptied after the
run; see settle; the next run waits until the inodes it freed have aged out). Every result is compared with the source (diff -r, untimed).
"""
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

SMALL_FILES, SMALL_SIZE, DIRECTORIES = 20_000, 4096, 100
LARGE_FILES, LARGE_SIZE = 200, 1 << 20


def make_tree(root, log):
    log(f"writing {SMALL_FILES} x 4 KiB + {LARGE_FILES} x 1 MiB under {root}")
    shutil.rmtree(root, ignore_errors=True)
    for index in range(SMALL_FILES):
        directory = root / f"d{index % DIRECTORIES:03d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"f{index:05d}").write_bytes(os.urandom(SMALL_SIZE))
    (root / "large").mkdir()
    for index in range(LARGE_FILES):
        (root / "large" / f"l{index:03d}").write_bytes(os.urandom(LARGE_SIZE))
    (root.parent / ".tree-complete").write_bytes(b"")  # beside the tree: it is not fetched


def settle(share, *doomed):
    """Before each sample: nothing dirty, the source in page cache, no old destination. The old
    destination is moved into a trash directory beside it, not deleted: on ext4 without a
    journal (this VM's disk), a new inode is never taken from those deleted in the last 60 s
    (360 s while their inode table block is dirty), and each file creation scans past every one
    of them, so creating 20,000 files right after deleting 20,000 cost 3 to 5 times the CPU,
    more or less at random (docs/BENCHMARKS.md, *Tree fetch: where the CPU goes*). The trash is
    emptied once, after the run (empty_trash)."""
    os.sync()
    subprocess.run(f"tar cf - -C {share} tree | cat > /dev/null", shell=True, check=True)
    for path in doomed:
        if path.exists():
            trash = path.parent / "trash"
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{path.name}-{time.monotonic_ns()}")
    os.sync()


def empty_trash(work):
    shutil.rmtree(work / "trash", ignore_errors=True)
    (work / "trash-emptied").write_bytes(b"")  # its time: when the freed inodes age out


def wait_for_freed_inodes(work, settle_seconds, log):
    """A run started minutes after the last one emptied its trash measures ext4's scan past the
    inodes that run freed (see settle): on 2026-12-04 every tool took 2 to 4 times as long, at
    random. So wait until they have aged out (360 s at most; --inode-settle 0 does not wait)."""
    stamp = work / "trash-emptied"
    if not stamp.exists():
        return
    left = settle_seconds - (time.time() - stamp.stat().st_mtime)
    if left > 0:
        log(f"waiting {left:.0f} s for the inodes the last run freed to age out (--inode-settle)")
        time.sleep(left)


def same_tree(expected, actual):
    return subprocess.run(["diff", "-rq", str(expected), str(actual)], stdout=subprocess.DEVNULL).returncode == 0


def timed(command, shell=False):
    started = time.monotonic()
    result = subprocess.run(command, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise RuntimeError(f"{command}: exited {result.returncode}: {result.stderr.decode(errors='replace')[-300:]}")
    return time.monotonic() - started


def sample_xfer(bench, args, server, share, work, label):
    destination = work / "dst-xfer"
    settle(share, destination)
    wall = timed([str(args.xfer), "fetch", f"127.0.0.1:{server.port}", "tree/", "-o", str(destination), "-q",
                  "--home", str(work / "fetch-home")])
    if not same_tree(share / "tree", destination / "tree"):
        raise RuntimeError(f"{label}: {destination / 'tree'} differs from the source")
    return {"tool": label, "wall": wall}


def sample_rsync(bench, daemon, share, work):
    destination = work / "dst-rsync"
    settle(share, destination)
    destination.mkdir()
    wall = timed(["rsync", "-a", f"rsync://127.0.0.1:{daemon.port}/bench/tree", f"{destination}/"])
    wall += timed(["sync", "-f", str(destination)])
    if not same_tree(share / "tree", destination / "tree"):
        raise RuntimeError("rsync: the copy differs from the source")
    return {"tool": "rsync -a + sync", "wall": wall}


def sample_tar_nc(bench, share, work):
    destination = work / "dst-tar"
    settle(share, destination)
    destination.mkdir()
    port = bench.free_port()
    sender = subprocess.Popen(f"tar cf - -C {share} tree | nc -N -l 127.0.0.1 {port}", shell=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench.wait_listening(port, sender)
        wall = timed(f"nc -d 127.0.0.1 {port} | tar xf - -C {destination}", shell=True)
        wall += timed(["sync", "-f", str(destination)])
    finally:
        sender.wait(timeout=60)
    if not same_tree(share / "tree", destination / "tree"):
        raise RuntimeError("tar | nc: the copy differs from the source")
    return {"tool": "tar | nc + sync", "wall": wall}


def run_tree(bench, args):
    work = args.dir.resolve() / "tree-bench"
    share = work / "share"
    share.mkdir(parents=True, exist_ok=True)
    if not (share / ".tree-complete").exists():
        make_tree(share / "tree", bench.log)
    for tool in ("rsync", "nc", "tar", "diff", "sync"):
        if not shutil.which(tool):
            raise SystemExit(f"tools/bench: {tool} is missing (tools/install-deps installs it)")
    wait_for_freed_inodes(work, args.inode_settle, bench.log)
    server, daemon = bench.xfer_server(args.xfer, share, work), bench.rsync_daemon(share, work)

    def cold():
        shutil.rmtree(work / "xfer-home" / "cache", ignore_errors=True)
        server.stop()
        server.start()
        return sample_xfer(bench, args, server, share, work, "xfer cold")

    measures = [lambda: sample_xfer(bench, args, server, share, work, "xfer"),
                lambda: sample_rsync(bench, daemon, share, work), lambda: sample_tar_nc(bench, share, work), cold]
    samples = []
    try:
        server.start()
        daemon.start()
        for measure in measures[:3]:  # untimed: caches filled, the manifest cached
            measure()
        for run in range(args.runs):
            for measure in measures:
                bench.wait_for_quiet(args.quiet_wait)
                samples.append(measure())
            bench.log(f"run {run + 1}/{args.runs}: " +
                      ", ".join(f"{s['tool']} {s['wall']:.3f} s" for s in samples[-len(measures):]))
    finally:
        server.stop()
        daemon.stop()
        for name in ("dst-xfer", "dst-rsync", "dst-tar"):
            shutil.rmtree(work / name, ignore_errors=True)
        empty_trash(work)
    return samples


def report_tree(samples):
    medians = {}
    for sample in samples:
        medians.setdefault(sample["tool"], []).append(sample["wall"])
    medians = {tool: statistics.median(walls) for tool, walls in medians.items()}
    print(f"\ntree: {SMALL_FILES} x 4 KiB + {LARGE_FILES} x 1 MiB, page cache to disk, durable")
    print(f"{'tool':<20} {'runs':>4} {'median s':>9}")
    for tool, median in medians.items():
        runs = sum(1 for s in samples if s["tool"] == tool)
        print(f"{tool:<20} {runs:>4} {median:>9.3f}")
    xfer = medians.get("xfer")
    if xfer:
        for other, target in (("rsync -a + sync", 0.5), ("tar | nc + sync", 1.0)):
            if other in medians:
                print(f"xfer / {other}: {xfer / medians[other]:.2f} (target <= {target})")
        if "xfer cold" in medians:
            print(f"xfer cold / xfer warm: {medians['xfer cold'] / xfer:.2f} (target <= 1.5)")
