#!/usr/bin/env python3
"""The libtorrent peers of tools/bench (docs/BENCHMARKS.md), run with a Python that has the
libtorrent module (Debian: apt-get install python3-libtorrent; /usr/bin/python3).

  bench_libtorrent.py torrent FILE OUT.torrent        # v1+v2 hybrid, 512 KiB pieces
  bench_libtorrent.py seed OUT.torrent DIR PORT       # seeds DIR/FILE on 127.0.0.1:PORT until killed
  bench_libtorrent.py fetch OUT.torrent DIR PORT      # DIR/FILE from the seed, exits once complete

Loopback only: DHT, local peer discovery, UPnP, NAT-PMP and uTP are off; the fetch is told the
seed's address. The seed trusts its file (seed mode: no hash check at start); the fetch verifies
every piece, as libtorrent always does, and writes through the page cache (no fsync).
"""
import sys
import time

import libtorrent as lt

PIECE = 512 * 1024


def session(port):
    return lt.session({
        "listen_interfaces": f"127.0.0.1:{port}", "enable_dht": False, "enable_lsd": False,
        "enable_upnp": False, "enable_natpmp": False, "enable_incoming_utp": False,
        "enable_outgoing_utp": False, "alert_mask": 0, "allow_multiple_connections_per_ip": True,
    })


def make_torrent(path, out):
    files = lt.file_storage()
    lt.add_files(files, path)
    torrent = lt.create_torrent(files, PIECE)
    parent = str(__import__("pathlib").Path(path).parent)
    lt.set_piece_hashes(torrent, parent)
    with open(out, "wb") as output:
        output.write(lt.bencode(torrent.generate()))


def add(ses, torrent_path, directory, seed):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent_path)
    params.save_path = directory
    if seed:
        params.flags |= lt.torrent_flags.seed_mode
    return ses.add_torrent(params)


def seed(torrent_path, directory, port):
    ses = session(port)
    add(ses, torrent_path, directory, seed=True)
    while True:
        time.sleep(1)


def fetch(torrent_path, directory, port):
    ses = session(0)
    handle = add(ses, torrent_path, directory, seed=False)
    handle.connect_peer(("127.0.0.1", port))
    deadline = time.monotonic() + 600
    while not handle.status().is_seeding:
        if time.monotonic() > deadline:
            sys.exit("libtorrent fetch: not complete after 600 s")
        time.sleep(0.005)
    # Written: libtorrent's disk threads have handed every piece to the kernel.
    handle.flush_cache()
    ses.pause()
    del ses


def main():
    command, *args = sys.argv[1:]
    if command == "torrent":
        make_torrent(*args)
    elif command == "seed":
        seed(args[0], args[1], int(args[2]))
    elif command == "fetch":
        fetch(args[0], args[1], int(args[2]))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
