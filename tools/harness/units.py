"""Parsing and printing of the two quantities on the command line: rates and sizes.

Rates follow tc(8): decimal prefixes (1mbit = 1,000,000 bit/s), binary ones with an "i"
(1mibit = 1,048,576 bit/s). Sizes are bytes with binary prefixes (128MiB, 128M and 128m all
mean 134,217,728 bytes), since that is how files are sized.
"""

import re

_RATE_UNITS = {
    "bit": 1, "kbit": 10**3, "mbit": 10**6, "gbit": 10**9, "tbit": 10**12,
    "kibit": 2**10, "mibit": 2**20, "gibit": 2**30,
    "bps": 8, "kbps": 8 * 10**3, "mbps": 8 * 10**6, "gbps": 8 * 10**9,
}
_SIZE_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}

UNLIMITED = None  # a rate of None means "no cap on this link"


def parse_rate(text):
    """'200mbit' -> 200_000_000 (bit/s). 'none', 'unlimited' and '0' give None (no cap)."""
    value = text.strip().lower()
    if value in ("none", "unlimited", "off", "0"):
        return UNLIMITED
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value)
    if not match or match.group(2) not in _RATE_UNITS and match.group(2) != "":
        raise ValueError(f"bad rate '{text}' (examples: 100mbit, 1gbit, 500kbit, none)")
    number, unit = float(match.group(1)), match.group(2) or "bit"
    bits_per_second = int(number * _RATE_UNITS[unit])
    if bits_per_second < 8000:
        raise ValueError(f"rate '{text}' is below 8kbit, too slow to be useful")
    return bits_per_second


def parse_size(text):
    """'128MiB' / '128M' / '128m' -> 134217728 (bytes)."""
    value = text.strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", value)
    if not match:
        raise ValueError(f"bad size '{text}' (examples: 8MiB, 128M, 1G, 4096)")
    size_bytes = int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])
    if size_bytes <= 0:
        raise ValueError(f"size '{text}' must be at least one byte")
    return size_bytes


def format_rate(bits_per_second):
    if bits_per_second is None:
        return "unlimited"
    for unit, scale in (("gbit", 10**9), ("mbit", 10**6), ("kbit", 10**3)):
        if bits_per_second >= scale and bits_per_second % (scale // 1000 or 1) == 0:
            return f"{bits_per_second / scale:g}{unit}"
    return f"{bits_per_second}bit"


def format_size(size_bytes):
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:g}{unit}"
    return f"{size_bytes}B"
