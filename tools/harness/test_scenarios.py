"""Unit tests that fleet-sized plans (32, 64 hosts) fit the test LAN's limits: no root needed.

    cd tools && python3 -m unittest harness.test_scenarios
"""

import argparse
import ipaddress
import unittest

from harness import cli, netns, scenarios

IFNAMSIZ = 16  # Linux interface names: at most 15 characters and the terminator


def plan_for(hosts, scenario="swarm", discovery="tracker"):
    settings = cli.parse_arguments([scenario, "--hosts", str(hosts), "--up", "20mbit",
                                    "--size", "32MiB", "--discovery", discovery], "/repo")
    return settings, scenarios.make_plan(scenario, settings, "/repo/build/tools/xfer",
                                         scenarios.Layout("/tmp/run"))


class FleetSizedPlans(unittest.TestCase):
    def test_64_hosts_get_distinct_addresses_inside_the_test_subnet(self):
        for hosts in (32, 64):
            _, plan = plan_for(hosts)
            addresses = [h.address for h in plan.hosts]
            self.assertEqual(len(set(addresses)), len(addresses))
            subnet = ipaddress.ip_network(f"10.78.0.0/{netns.SUBNET_PREFIX_LENGTH}")
            for address in addresses:
                self.assertIn(ipaddress.ip_address(address), subnet)
            self.assertEqual(len([h for h in plan.hosts if h.role == "leecher"]), hosts - 1)
            self.assertEqual(len(plan.fetches), hosts - 1)

    def test_names_fit_namespaces_and_interfaces(self):
        _, plan = plan_for(64)
        run_id = 4194304  # the largest pid Linux hands out
        for index, host in enumerate(plan.hosts):
            namespace = f"xh{run_id}-{host.name}"
            self.assertRegex(namespace, netns.NAMESPACE_PATTERN)
            self.assertLess(len(f"p{index}"), IFNAMSIZ)

    def test_addresses_never_reach_the_service_range_or_overflow(self):
        self.assertEqual(netns.default_address(63), "10.78.1.64")
        self.assertEqual(netns.default_address(250), "10.78.2.1")
        self.assertEqual(netns.default_address(999), "10.78.4.250")

    def test_static_peer_lists_name_every_other_host(self):
        _, plan = plan_for(64, discovery="static")
        froms = [a for a in plan.fetches[0].argv if a.endswith(f":{scenarios.SERVE_PORT}")]
        self.assertEqual(len(froms), 64 - 1 + 1)  # 62 peers + the seeder, + its own --listen

    def test_links_are_sampled_less_often_above_16_hosts(self):
        self.assertEqual(plan_for(16)[0].sample_ms, 50)
        self.assertEqual(plan_for(64)[0].sample_ms, 200)
        settings = cli.parse_arguments(["swarm", "--hosts", "64", "--sample-ms", "20"], "/r")
        self.assertEqual(settings.sample_ms, 20)


class HeterogeneousPlans(unittest.TestCase):
    def test_a_quarter_of_the_leechers_get_a_tenth_of_the_uplink(self):
        settings, plan = plan_for(33, scenario="heterogeneous")
        leechers = [h for h in plan.hosts if h.role == "leecher"]
        slow = [h for h in leechers if h.up_bps == settings.up // scenarios.SLOW_SHARE]
        fast = [h for h in leechers if h.up_bps == settings.up]
        self.assertEqual(len(slow), 8)
        self.assertEqual(len(fast) + len(slow), 32)
        self.assertEqual([h.name for h in slow][:2], ["h4", "h8"])
        seeder = next(h for h in plan.hosts if h.role == "seeder")
        self.assertEqual(seeder.up_bps, settings.up, "the seeder keeps the full uplink")

    def test_the_bound_counts_the_slow_uplinks(self):
        settings, plan = plan_for(33, scenario="heterogeneous")
        _, flat = plan_for(33)
        file_bits = settings.size * 8
        total_up = settings.up * (1 + 24) + 8 * (settings.up // scenarios.SLOW_SHARE)
        self.assertAlmostEqual(plan.bound.terms["N*F/(u_s+sum(u_i))"], 32 * file_bits / total_up)
        self.assertGreater(plan.bound.seconds, flat.bound.seconds)

    def test_the_fast_hosts_get_a_bound_of_their_own_below_the_swarms(self):
        settings, plan = plan_for(33, scenario="heterogeneous")
        fast = plan.parameters["fast_hosts"]
        self.assertEqual(len(fast), 24)
        self.assertNotIn("h4", fast)
        file_bits = settings.size * 8
        total_up = settings.up * (1 + 24) + 8 * (settings.up // scenarios.SLOW_SHARE)
        expected = max(file_bits / settings.up, 24 * file_bits / total_up)
        self.assertAlmostEqual(plan.parameters["fast_bound_seconds"], expected, places=3)
        self.assertLess(plan.parameters["fast_bound_seconds"], plan.bound.seconds)
        _, flat = plan_for(33)
        self.assertNotIn("fast_hosts", flat.parameters)


class RackPlans(unittest.TestCase):
    def test_hosts_are_split_in_two_racks_with_the_seeder_in_the_first(self):
        settings, plan = plan_for(64, scenario="racks")
        swarm_hosts = [h for h in plan.hosts if h.role != "tracker"]
        self.assertEqual([h.rack for h in swarm_hosts], [0] * 32 + [1] * 32)
        self.assertEqual(plan.parameters["racks"], 2)
        # A quarter of the 32 hosts' summed uplinks: 32 * 20 Mbit/s / 4.
        self.assertEqual(plan.parameters["rack_uplink_bps"], 160_000_000)
        tracker = next(h for h in plan.hosts if h.role == "tracker")
        self.assertEqual(tracker.rack, 0)

    def test_every_xfer_is_told_its_rack_and_a_flat_swarm_no_site(self):
        _, plan = plan_for(8, scenario="racks")
        racks = {h.name: h.rack for h in plan.hosts}
        seeder = next(s for s in plan.services if s.label != "tracker")
        self.assertEqual(seeder.argv[-2:], ["--site", "rack0"])
        for fetch in plan.fetches:
            self.assertEqual(fetch.argv[-2:], ["--site", f"rack{racks[fetch.host]}"])
        self.assertEqual(sorted(f.argv[-1] for f in plan.fetches), ["rack0"] * 3 + ["rack1"] * 4)
        _, flat = plan_for(8)
        self.assertFalse(any("--site" in f.argv for f in flat.fetches))

    def test_the_bound_counts_the_rack_uplink(self):
        settings = cli.parse_arguments(["racks", "--hosts", "64", "--up", "20mbit", "--size",
                                        "32MiB", "--rack-uplink", "10mbit"], "/repo")
        plan = scenarios.make_plan("racks", settings, "/x", scenarios.Layout("/tmp/run"))
        file_bits = settings.size * 8
        self.assertAlmostEqual(plan.bound.terms["F/c (rack 1)"], file_bits / 10e6)
        # Rack 1's 32 leechers get their bits over the 10 Mbit/s link and their own uplinks.
        self.assertAlmostEqual(plan.bound.terms["n_1*F/(c+sum(u_1))"],
                               32 * file_bits / (10e6 + 32 * 20e6))
        self.assertEqual(plan.bound.seconds, max(plan.bound.terms.values()))
        _, flat = plan_for(64)
        self.assertGreaterEqual(plan.bound.seconds, flat.bound.seconds)

    def test_a_slow_enough_uplink_sets_the_bound(self):
        settings = cli.parse_arguments(["racks", "--hosts", "8", "--up", "100mbit", "--size",
                                        "8MiB", "--rack-uplink", "1mbit"], "/repo")
        plan = scenarios.make_plan("racks", settings, "/x", scenarios.Layout("/tmp/run"))
        self.assertAlmostEqual(plan.bound.seconds, settings.size * 8 / 1e6)


class LatePlans(unittest.TestCase):
    def test_a_quarter_of_the_leechers_start_at_half_the_swarm_bound(self):
        _, flat = plan_for(33)
        settings, plan = plan_for(33, scenario="late")
        late = [f for f in plan.fetches if f.start_at > 0]
        self.assertEqual(len(late), 8)
        self.assertEqual([f.host for f in late][:2], ["h3", "h7"])
        for fetch in late:
            self.assertAlmostEqual(fetch.start_at, 0.5 * flat.bound.seconds)
        self.assertEqual(plan.parameters["late_joiners"], [f.host for f in late])
        self.assertTrue(all(f.start_at == 0 for f in plan.fetches if f not in late))

    def test_the_bound_is_the_swarms_unless_the_joiners_downlinks_set_it(self):
        _, flat = plan_for(16)
        _, plan = plan_for(16, scenario="late")
        self.assertAlmostEqual(plan.bound.seconds, flat.bound.seconds)
        settings = cli.parse_arguments(["late", "--hosts", "16", "--up", "20mbit", "--down",
                                        "10mbit", "--size", "32MiB", "--late-at", "2"], "/r")
        slow = scenarios.make_plan("late", settings, "/x", scenarios.Layout("/tmp/run"))
        start = slow.parameters["late_start_seconds"]
        self.assertAlmostEqual(slow.bound.seconds, start + settings.size * 8 / 10e6)
        self.assertGreater(slow.bound.seconds, flat.bound.seconds)


if __name__ == "__main__":
    unittest.main()
