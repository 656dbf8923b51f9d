"""The lan-harness command line (argparse): every option, its default and its help."""

import argparse
import os

from harness import scenarios, units


def _argument_type(parse):
    """Wraps a units parser so argparse shows the parser's own message for a bad value."""

    def checked(text):
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    checked.__name__ = parse.__name__
    return checked


RATE = _argument_type(units.parse_rate)
SIZE = _argument_type(units.parse_size)


def parse_arguments(argv, repo_root):
    parser = argparse.ArgumentParser(
        prog="lan-harness",
        description="Run xfer scenarios on a test LAN of network namespaces with capped links; "
        "report wall time, bytes per host and the ratio to the fluid bound.",
        epilog="scenarios: " + "; ".join(f"{name}: {text}"
                                          for name, text in scenarios.DESCRIPTIONS.items()))
    add = parser.add_argument
    add("scenario", help="comma-separated scenarios, 'all', 'calibrate' or 'cleanup'")

    setup = parser.add_argument_group("the test LAN and the file")
    default_hosts = ", ".join(f"{k} {v}" for k, v in scenarios.DEFAULT_HOSTS.items())
    setup.add_argument("--hosts", metavar="N", type=int,
                       help=f"test hosts, every role included (default: {default_hosts})")
    setup.add_argument("--up", metavar="RATE", type=RATE, default=units.parse_rate("200mbit"),
                       help="upload cap of every host (default 200mbit; 'none': no cap)")
    setup.add_argument("--down", metavar="RATE", type=RATE, default=None,
                       help="download cap of every host (default: none)")
    setup.add_argument("--seeder-up", metavar="RATE", type=RATE,
                       help="upload cap of the swarm seeder, if not --up")
    setup.add_argument("--size", metavar="SIZE", type=SIZE, default=units.parse_size("128MiB"),
                       help="file size F (default 128MiB; mutual splits it into N parts)")
    setup.add_argument("--no-warm", dest="warm", action="store_false",
                       help="start the clock without first letting the servers hash their "
                       "files (by default each fetches one piece from itself beforehand)")
    setup.add_argument("--mtu", metavar="BYTES", type=int, default=1500,
                       help="MTU of every link (default 1500)")
    setup.add_argument("--queue-ms", metavar="MS", type=int, default=100,
                       help="queue behind each cap, in milliseconds at its rate (default 100)")

    swarm = parser.add_argument_group("swarm and churn")
    swarm.add_argument("--discovery", choices=["tracker", "lan", "static"], default="tracker",
                       help="how peers find each other (default tracker; static: every "
                       "leecher gets --from for every other host)")
    swarm.add_argument("--rack-uplink", metavar="RATE", type=RATE,
                       help="racks: the link between the two racks, each way (default: a "
                       "quarter of the summed uplinks of one rack's hosts)")
    swarm.add_argument("--linger", metavar="SECONDS", type=float,
                       help="pass --linger SECONDS to the fetches")
    swarm.add_argument("--churn-victims", metavar="K", type=int,
                       help="leechers to kill (default: a third of them, at least 1)")
    swarm.add_argument("--churn-at", metavar="FRACTION", type=float, default=0.4,
                       help="kill a victim once it has received this much of F (default 0.4)")
    swarm.add_argument("--churn-down", metavar="SECONDS", type=float, default=0.5,
                       help="how long a victim stays dead before its restart (default 0.5)")

    swarm.add_argument("--late-at", metavar="FRACTION", type=float, default=0.5,
                       help="late: when the late quarter starts, as a share of the swarm's "
                       "bound (default 0.5)")

    run = parser.add_argument_group("running and reporting")
    run.add_argument("--runs", metavar="K", type=int, default=1,
                     help="runs per scenario; the summary gives the median (default 1)")
    run.add_argument("--json", action="store_true", help="print the report as JSON only")
    run.add_argument("--timeline", action="store_true",
                     help="include the sampled link counters in the JSON")
    run.add_argument("--plot", metavar="FILE.png",
                     help="plot per-host progress over time (matplotlib); with several "
                     "scenarios, one FILE-SCENARIO.png each")
    run.add_argument("--target", metavar="RATIO", type=float, default=1.25,
                     help="swarm ratio to the bound reported as 'target met' (default 1.25; "
                     "informative, not an exit status)")
    run.add_argument("--xfer", metavar="PATH",
                     default=os.path.join(repo_root, "build", "tools", "xfer"),
                     help="the xfer binary (default: build/tools/xfer in the repo)")
    run.add_argument("--workdir", metavar="DIR",
                     help="parent of the run's files (default: /dev/shm if it has room)")
    run.add_argument("--keep", action="store_true", help="keep the files and logs of the runs")
    run.add_argument("--timeout", metavar="SECONDS", type=float,
                     help="give up on a run after this long (default: max(60, 10x the bound))")
    run.add_argument("--service-timeout", metavar="SECONDS", type=float, default=60.0,
                     help="how long a service may take to say it listens (default 60)")
    run.add_argument("--sample-ms", metavar="MS", type=int,
                     help="link sampling period (default 50; 200 above 16 hosts, where each "
                     "sample reads every host's counters and the harness's own CPU counts)")
    run.add_argument("--fetch-args", metavar="ARGS", default="",
                     help="last arguments of every xfer fetch (default none, so each prints its summary; '-vv' for logs)")
    run.add_argument("--serve-args", metavar="ARGS", default="",
                     help="extra arguments for every xfer serve")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")

    other = parser.add_argument_group("calibrate and cleanup")
    other.add_argument("--rates", metavar="RATES", default="100mbit,200mbit,1gbit",
                       help="calibrate: comma-separated caps to measure")
    other.add_argument("--seconds", metavar="SECONDS", type=float, default=3.0,
                       help="calibrate: seconds per measurement (default 3)")
    other.add_argument("--all", action="store_true",
                       help="cleanup: also remove what harness runs still alive made")
    settings = parser.parse_args(argv)
    if settings.sample_ms is None:
        settings.sample_ms = 50 if (settings.hosts or 0) <= 16 else 200
    return settings
