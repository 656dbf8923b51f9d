"""Unit tests of the test LAN's pure parts: the neighbour entries every host is given and the
reading of the kernel's ARP table statistics. No root needed.

    cd tools && python3 -m unittest harness.test_netns
"""

import unittest

from harness import netns

# /proc/net/stat/arp_cache as a 6.x kernel prints it: a header, one line of hex per CPU.
ARP_CACHE = """\
entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast \
rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls
00000418 0000410e 00004dc8 00000004   0006cce4 00013f3b 00000144   00000000         \
00000000         00000b3c         0003ccde       00000000            0003ca59
00000418 00004973 000038a1 00000004   00074035 00019284 00000143   00000000         \
00000000         00000000         00038cf3       00000002            00038aa9
"""


def hosts(count):
    return [netns.Host(i, f"h{i}", f"xh1-h{i}", netns.default_address(i), None, None)
            for i in range(count)]


class NeighbourEntries(unittest.TestCase):
    def test_each_host_gets_a_permanent_entry_for_every_other_host_and_none_for_itself(self):
        lab_hosts = hosts(64)
        macs = {h.name: f"02:00:00:00:00:{h.index:02x}" for h in lab_hosts}
        lines = netns.neighbour_batch(lab_hosts[5], lab_hosts, macs).splitlines()
        self.assertEqual(len(lines), 63)
        self.assertNotIn(lab_hosts[5].address + " ", " ".join(lines))
        self.assertIn("neigh replace 10.78.1.64 lladdr 02:00:00:00:00:3f dev eth0 nud permanent",
                      lines)
        self.assertTrue(all(line.endswith("nud permanent") for line in lines))


class ArpTableStatistics(unittest.TestCase):
    def test_table_fulls_are_summed_over_the_cpus(self):
        self.assertEqual(netns.parse_table_fulls(ARP_CACHE), 0x3ca59 + 0x38aa9)

    def test_a_file_without_the_column_gives_none(self):
        self.assertIsNone(netns.parse_table_fulls("entries allocs\n00000001 00000002\n"))
        self.assertIsNone(netns.parse_table_fulls(""))


if __name__ == "__main__":
    unittest.main()
