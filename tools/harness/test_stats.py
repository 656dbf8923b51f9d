"""Unit tests of the report's pure parts: no root, no namespaces, no xfer.

    cd tools && python3 -m unittest harness.test_stats
(CTest runs this as LanHarnessPythonUnits.)
"""

import types
import unittest

from harness import cpu, report, stats


class NearestRank(unittest.TestCase):
    def test_is_the_value_at_rank_ceil_p_n(self):
        values = list(range(1, 64))  # 63 hosts finishing at 1..63 s
        self.assertEqual(stats.nearest_rank(values, 50), 32)
        self.assertEqual(stats.nearest_rank(values, 90), 57)
        self.assertEqual(stats.nearest_rank(values, 99), 63)
        self.assertEqual(stats.nearest_rank(values, 100), 63)

    def test_small_sets_take_a_measured_value_never_an_interpolation(self):
        self.assertEqual(stats.nearest_rank([4.0, 1.0, 3.0, 2.0], 50), 2.0)
        self.assertEqual(stats.nearest_rank([4.0, 1.0, 3.0, 2.0], 90), 4.0)
        self.assertEqual(stats.nearest_rank([7.5], 1), 7.5)

    def test_empty_is_none_and_a_bad_percentile_is_refused(self):
        self.assertIsNone(stats.nearest_rank([], 50))
        with self.assertRaises(ValueError):
            stats.nearest_rank([1], 0)
        with self.assertRaises(ValueError):
            stats.nearest_rank([1], 101)


class CompletionSummary(unittest.TestCase):
    def test_percentiles_and_ratios_to_the_bound(self):
        summary = stats.completion_summary([2.0, 4.0, 6.0, 8.0, 10.0], bound_seconds=4.0)
        self.assertEqual(summary["hosts"], 5)
        self.assertEqual(summary["p50_seconds"], 6.0)
        self.assertEqual(summary["p50_ratio"], 1.5)
        self.assertEqual(summary["p90_seconds"], 10.0)
        self.assertEqual(summary["max_seconds"], 10.0)
        self.assertEqual(summary["max_ratio"], 2.5)

    def test_an_unfinished_host_leaves_no_percentile(self):
        summary = stats.completion_summary([2.0, None], bound_seconds=4.0)
        self.assertIsNone(summary["p50_seconds"])
        self.assertIsNone(summary["max_ratio"])

    def test_no_bound_gives_times_without_ratios(self):
        summary = stats.completion_summary([3.0], bound_seconds=None)
        self.assertEqual(summary["p99_seconds"], 3.0)
        self.assertIsNone(summary["p99_ratio"])


PROC_STAT = """cpu  100 0 50 800 50 0 0 0 0 0
cpu0 50 0 25 400 25 0 0 0 0 0
cpu1 50 0 25 400 25 0 0 0 0 0
intr 12345
ctxt 678
"""


class ProcStat(unittest.TestCase):
    def test_busy_excludes_idle_and_iowait(self):
        self.assertEqual(stats.parse_proc_stat(PROC_STAT), (150, 1000, 2))

    def test_text_without_a_cpu_line_is_an_error(self):
        with self.assertRaises(ValueError):
            stats.parse_proc_stat("intr 1\n")


def snapshots(loads, cores=2, jiffies_per_second=100):
    """(seconds, busy, total) snapshots a second apart for the given cores-busy per second."""
    result, busy, total = [(0.0, 0, 0)], 0, 0
    for second, load in enumerate(loads, start=1):
        total += cores * jiffies_per_second
        busy += round(load * jiffies_per_second)
        result.append((float(second), busy, total))
    return result


class CpuUse(unittest.TestCase):
    def test_series_is_cores_busy_per_interval(self):
        series = stats.cpu_series(snapshots([2.0, 1.0, 0.05]), cores=2)
        self.assertEqual(series, [(0.0, 1.0, 2.0), (1.0, 2.0, 1.0), (2.0, 3.0, 0.05)])

    def test_saturation_counts_seconds_at_95_percent_of_all_cores(self):
        series = stats.cpu_series(snapshots([1.95, 1.9, 1.89, 2.0]), cores=2)
        summary = stats.cpu_summary(series, cores=2, unfinished_until=4.0)
        self.assertTrue(summary["saturated"])
        self.assertEqual(summary["saturated_seconds"], 3.0)  # 1.89 < 1.9 = 95 % of 2
        self.assertEqual(summary["saturated_spans"], [[0.0, 2.0], [3.0, 4.0]])
        self.assertEqual(summary["peak_cores"], 2.0)

    def test_idle_seconds_count_only_while_hosts_are_unfinished(self):
        # Busy, then 3 s near zero with hosts left (the issue 13 shape), then idle after the end.
        series = stats.cpu_series(snapshots([1.5, 0.05, 0.08, 0.02, 1.2, 0.01, 0.0]), cores=2)
        summary = stats.cpu_summary(series, cores=2, unfinished_until=5.0)
        self.assertEqual(summary["idle_seconds"], 3.0)
        self.assertEqual(summary["idle_spans"], [[1.0, 4.0]])
        self.assertFalse(summary["saturated"])

    def test_no_samples_is_an_empty_summary(self):
        summary = stats.cpu_summary([], cores=2, unfinished_until=None)
        self.assertEqual(summary["samples"], 0)
        self.assertIsNone(summary["peak_cores"])
        self.assertEqual(summary["idle_seconds"], 0)


class Sampler(unittest.TestCase):
    def test_takes_one_snapshot_a_second_and_a_last_one_at_the_end(self):
        clock = types.SimpleNamespace(now=100.0)
        readings = iter([(0, 0, 2), (100, 200, 2), (150, 400, 2), (160, 460, 2)])
        sampler = cpu.CpuSampler(reader=lambda: next(readings), clock=lambda: clock.now)
        sampler.start()
        for now in (100.5, 101.0, 101.5, 102.0, 102.3):
            clock.now = now
            sampler.poll()
        sampler.finish()
        self.assertEqual([s[0] for s in sampler.snapshots], [0.0, 1.0, 2.0, 2.3])
        self.assertEqual(sampler.series()[0], (0.0, 1.0, 1.0))


class ReportText(unittest.TestCase):
    def record(self, loads, unfinished_until):
        series = stats.cpu_series(snapshots(loads), cores=2)
        return {"cpu": stats.cpu_summary(series, 2, unfinished_until),
                "completion": stats.completion_summary([1.0, 2.0, 9.0], 3.0),
                "seeder_copies_sent": 1.04, "parameters": {"leechers": 3}}

    def test_saturation_and_idling_are_warned_about(self):
        lines = "\n".join(report._cpu_lines(self.record([2.0, 0.0, 1.0], 3.0)["cpu"]))
        self.assertIn("WARNING: the machine was SATURATED for 1.0s (0.0-1.0s)", lines)
        self.assertIn("WARNING: the machine was IDLE for 1.0s (1.0-2.0s) while hosts were "
                      "unfinished", lines)

    def test_a_healthy_run_has_no_warning(self):
        self.assertNotIn("WARNING", "\n".join(report._cpu_lines(
            self.record([1.0, 1.2, 0.9], 3.0)["cpu"])))

    def test_completion_line_names_percentiles_ratios_and_seeder_copies(self):
        line = report._completion_lines(self.record([1.0], 1.0))[0]
        self.assertIn("p50 2.00s (0.67x)", line)
        self.assertIn("max 9.00s (3.00x)", line)
        self.assertIn("seeder sent 1.04 copies", line)


class CopiesSent(unittest.TestCase):
    def test_is_what_the_seeders_or_sources_sent_over_the_file(self):
        rows = [{"role": "source", "bytes_up": 300, "payload_bytes": 0},
                {"role": "source", "bytes_up": 100, "payload_bytes": 0},
                {"role": "leecher", "bytes_up": 5, "payload_bytes": 200}]
        self.assertEqual(report.copies_sent(rows), 2.0)

    def test_mutual_peers_have_no_seeder(self):
        rows = [{"role": "peer", "bytes_up": 50, "payload_bytes": 50}]
        self.assertIsNone(report.copies_sent(rows))



class RackLinkCopies(unittest.TestCase):
    def test_copies_each_way_over_the_file_size(self):
        links = {1: {"bytes_in": 12 * 2**20, "bytes_out": 2**20}}
        (link,) = stats.rack_link_copies(links, 8 * 2**20)
        self.assertEqual(link["rack"], 1)
        self.assertEqual(link["copies_in"], 1.5)
        self.assertEqual(link["copies_out"], 0.125)

    def test_no_links_no_rows(self):
        self.assertEqual(stats.rack_link_copies({}, 100), [])

if __name__ == "__main__":
    unittest.main()
