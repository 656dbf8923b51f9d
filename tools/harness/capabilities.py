"""What the xfer binary under test accepts, read from `xfer SUBCOMMAND --help`.

The scenarios are written against the full CLI. A build that lacks an option a scenario needs
(say, `fetch --tracker`) should fail that scenario with a sentence naming the option, not with
an xfer usage error in a log file; an option that only fine-tunes a scenario (`serve --no-lan`)
is dropped with a note instead.
"""

import re
import subprocess

# Options a scenario passes that it can do without: (subcommand, option) -> takes a value.
OPTIONAL = {("serve", "--no-lan"): False, ("serve", "--site"): True, ("fetch", "--site"): True}


class MissingOption(RuntimeError):
    pass


class Capabilities:
    def __init__(self, xfer):
        self.xfer = xfer
        self._options = {}

    def options_of(self, subcommand):
        if subcommand not in self._options:
            result = subprocess.run([self.xfer, subcommand, "--help"], capture_output=True,
                                    text=True, timeout=30)
            if result.returncode != 0:
                raise MissingOption(f"'{self.xfer} {subcommand} --help' failed "
                                    f"(exit {result.returncode}): {result.stderr.strip()}")
            self._options[subcommand] = set(re.findall(r"--[a-z][a-z-]*", result.stdout))
        return self._options[subcommand]

    def adapt(self, argv, scenario, notes):
        """argv of an xfer command with optional options the binary lacks removed. Raises
        MissingOption naming the first required option it lacks."""
        subcommand = argv[1]
        known = self.options_of(subcommand)
        adapted, skip_value = [], False
        for word in argv:
            if skip_value:
                skip_value = False
                continue
            if word.startswith("--") and word not in known:
                if (subcommand, word) in OPTIONAL:
                    skip_value = OPTIONAL[(subcommand, word)]
                    note = f"xfer {subcommand} has no {word}: left out"
                    if note not in notes:
                        notes.append(note)
                    continue
                raise MissingOption(f"{scenario} needs 'xfer {subcommand} {word}', which this "
                                    f"xfer build does not have (see '{self.xfer} {subcommand} "
                                    "--help')")
            adapted.append(word)
        return adapted
