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


if __name__ == "__main__":
    unittest.main()
