"""Fluid lower bounds on the time to finish a scenario (no scheme can beat them).

Units: F in bits, every rate in bit/s, the result in seconds. A rate of None is an uncapped link:
its term vanishes (F / infinity = 0). The swarm bound is Kumar and Ross (2006), "Peer-assisted
file distribution: the minimum distribution time":
    T = max(F / u_s, F / d_min, N * F / (u_s + sum of u_i))
The others are the same reasoning for their setups (see docs/HARNESS.md).

The caps count whole Ethernet frames, so a TCP payload can use at most ~95.6% of them at MTU
1500 (see calibrate.py): even a perfect transfer sits about 4.6% above these bounds.
"""

import dataclasses


@dataclasses.dataclass
class Bound:
    seconds: float | None  # None when nothing is capped: no finite bound
    formula: str
    terms: dict  # name of each term in the max() -> its seconds


def _over(bits, rate):
    return None if rate is None else bits / rate


def _maximum(formula, terms):
    finite = [value for value in terms.values() if value is not None]
    return Bound(max(finite) if finite else None, formula,
                 {name: value for name, value in terms.items() if value is not None})


def _slowest(rates):
    capped = [rate for rate in rates if rate is not None]
    return min(capped) if capped else None


def _total(rates):
    """Sum of the rates, or None (infinite) if any of them is uncapped."""
    return None if any(rate is None for rate in rates) else sum(rates)


def single_source(file_bits, fetchers, source_up, fetcher_downs):
    """One source, `fetchers` hosts each needing the whole file from it: the plain server."""
    return _maximum("max(N*F/u_s, F/d_min)", {
        "N*F/u_s": _over(fetchers * file_bits, source_up),
        "F/d_min": _over(file_bits, _slowest(fetcher_downs)),
    })


def k_sources(file_bits, source_ups, fetcher_down):
    """One fetcher pulling from k complete sources: F / min(sum of u_k, d)."""
    return _maximum("max(F/sum(u_k), F/d)", {
        "F/sum(u_k)": _over(file_bits, _total(source_ups)),
        "F/d": _over(file_bits, fetcher_down),
    })


def mutual_exchange(file_bits, hosts, ups, downs):
    """N hosts each holding F/N and needing the other (N-1)F/N. Each must receive (N-1)F/N,
    and all (N-1)F bits that must be delivered leave through the N uplinks."""
    need = file_bits * (hosts - 1) / hosts
    return _maximum("max((N-1)F/N/d_min, (N-1)F/sum(u_i))", {
        "(N-1)F/N/d_min": _over(need, _slowest(downs)),
        "(N-1)F/sum(u_i)": _over(need * hosts, _total(ups)),
    })


def swarm(file_bits, seeder_up, leecher_ups, leecher_downs):
    """1 seeder and N leechers (Kumar and Ross 2006)."""
    leechers = len(leecher_ups)
    return _maximum("max(F/u_s, F/d_min, N*F/(u_s+sum(u_i)))", {
        "F/u_s": _over(file_bits, seeder_up),
        "F/d_min": _over(file_bits, _slowest(leecher_downs)),
        "N*F/(u_s+sum(u_i))": _over(leechers * file_bits, _total([seeder_up] + leecher_ups)),
    })


def fast_hosts(file_bits, seeder_up, fast_downs, every_leecher_up):
    """When the fast leechers of a heterogeneous swarm can all be done, the slow ones aside:
    every fast host needs F from the seeder and the uplinks of everyone (the slow hosts' too,
    forwarding what they hold), so max(F/u_s, F/d_min of the fast, n_fast*F/(u_s+sum(u_i)))."""
    return _maximum("max(F/u_s, F/d_fast, n_fast*F/(u_s+sum(u_i)))", {
        "F/u_s": _over(file_bits, seeder_up),
        "F/d_fast": _over(file_bits, _slowest(fast_downs)),
        "n_fast*F/(u_s+sum(u_i))": _over(len(fast_downs) * file_bits,
                                         _total([seeder_up] + every_leecher_up)),
    })


def late(swarm_bound, file_bits, start_seconds, joiner_downs):
    """The swarm, with some leechers starting `start_seconds` late. A relaxation, so still a
    lower bound: everyone present from the start (the swarm's own terms) can only finish
    earlier, and no joiner finishes before its start plus F over its downlink."""
    terms = dict(swarm_bound.terms)
    downlink = _over(file_bits, _slowest(joiner_downs))
    terms["t_late+F/d_late"] = start_seconds + (downlink or 0.0)
    return _maximum(f"max({swarm_bound.formula}, t_late+F/d_late)", terms)


def racks(file_bits, seeder_up, racks_of_leechers, uplink):
    """1 seeder in rack 0, leechers in racks joined to rack 0 by links of `uplink` bit/s each way.

    `racks_of_leechers`: per rack, the uplinks of its leechers (rack 0 first). Kumar and Ross
    over everyone, and for each rack r > 0: every bit must cross its link once (F/c), and its n_r
    leechers receive n_r*F from the link and their own uplinks (n_r*F/(c + sum u_r)); rack 0's
    leechers receive from the seeder, their own uplinks and the links' upward halves.
    """
    every = [u for rack in racks_of_leechers for u in rack]
    bound = swarm(file_bits, seeder_up, every, [None] * len(every))
    terms = dict(bound.terms)
    others = racks_of_leechers[1:]
    for r, ups in enumerate(others, start=1):
        terms[f"F/c (rack {r})"] = _over(file_bits, uplink)
        supply = _total([uplink] + ups)
        terms[f"n_{r}*F/(c+sum(u_{r}))"] = _over(len(ups) * file_bits, supply)
    home = racks_of_leechers[0]
    if home:
        supply = _total([seeder_up] + home + [uplink] * len(others))
        terms["n_0*F/(u_s+sum(u_0)+k*c)"] = _over(len(home) * file_bits, supply)
    return _maximum("max(swarm, per rack: F/c, n_r*F/(c+sum(u_r)))", terms)
