"""The `hebblab` command: argparse with one subcommand per module in cli/commands/.

Subcommands are discovered at run time (see cli/commands/__init__.py for the module
contract), so new commands plug in without editing this file.

`hebblab` with no arguments runs a default command line:
  - `hebblab tui` (the chapter view) when a `tui` command module exists and both stdin
    and stdout are terminals;
  - otherwise `hebblab run lif --preset chapter` (headless: summary, charts if a tty).

Errors: ParamError and UsageError become `hebblab: error: <message>` on stderr and exit
status 2, with no traceback; argparse's own usage errors also exit 2. ctrl+c, SIGTERM and
SIGHUP stop a command the same way (hebblab.interrupts): its cleanup runs, and the exit
status is 128 + the signal number (130, 143, 129).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from types import ModuleType
from typing import Sequence

import hebblab
from hebblab.sim.params import ParamError, closest
from hebblab.errors import UsageError
from hebblab.interrupts import Interrupted, handled

INTERACTIVE_DEFAULT = ["tui"]
HEADLESS_DEFAULT = ["run", "lif", "--preset", "chapter"]


def command_modules() -> list[ModuleType]:
    """The modules in cli/commands/, sorted by HELP_ORDER then name."""
    from hebblab.cli import commands

    found = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{commands.__name__}.{info.name}")
        except Exception as err:  # one broken command must not take the others down
            print(f"hebblab: warning: command {info.name!r} failed to load: {err}", file=sys.stderr)
            continue
        if hasattr(module, "register"):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "HELP_ORDER", 50), m.__name__))


class OneLineParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line, like every other hebblab error (the usage
    text is one --help away), with the closest name for an unknown command."""

    def error(self, message: str):  # type: ignore[override]
        hint = ""
        bad = re.match(r"argument \S+: invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if bad:
            hint = closest(bad.group(1), re.findall(r"'([^']*)'", bad.group(2)))
        self.exit(2, f"hebblab: error: {message}{hint} (see `{self.prog} --help`)\n")


def build_parser(modules: Sequence[ModuleType] | None = None) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="hebblab",
        description="A terminal lab for spiking neurons and synaptic learning. "
        "Without a command: opens the lab in a terminal (or, without one, runs "
        "`hebblab run lif --preset chapter`).",
    )
    parser.add_argument("--version", action="version", version=f"hebblab {hebblab.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules() if modules is None else modules:
        module.register(sub)
    return parser


def default_argv(modules: Sequence[ModuleType]) -> list[str]:
    """The command line `hebblab` alone stands for (see the module docstring)."""
    names = {m.__name__.rsplit(".", 1)[-1] for m in modules}
    if "tui" in names and sys.stdin.isatty() and sys.stdout.isatty():
        return list(INTERACTIVE_DEFAULT)
    return list(HEADLESS_DEFAULT)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    modules = command_modules()
    parser = build_parser(modules)
    if not args_list:
        args_list = default_argv(modules)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:  # argparse: --help/--version (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    if getattr(args, "func", None) is None:
        parser.print_usage(sys.stderr)
        print("hebblab: error: choose a command", file=sys.stderr)
        return 2
    try:
        with handled():  # TERM and HUP unwind like ctrl+c: workers stopped, temp files removed
            return int(args.func(args) or 0)
    except (ParamError, UsageError) as err:
        message = " ".join(str(err).split())  # always one line
        print(f"hebblab: error: {message}", file=sys.stderr)
        return 2
    except Interrupted as stop:
        _say("hebblab: interrupted" if stop.name == "SIGINT" else f"hebblab: stopped by {stop.name}")
        return stop.exit_status
    except KeyboardInterrupt:
        _say("hebblab: interrupted")
        return 130
    except BrokenPipeError:  # e.g. `hebblab run lif | head`: not an error worth a traceback
        _drop_stdout()
        return 1
    except OSError as err:  # e.g. standard output to a full disk (`> out.txt`, /dev/full)
        _drop_stdout()  # else Python's own flush at exit fails again, with a traceback
        _say(f"hebblab: error: {err.strerror or err}" + (f": {err.filename}" if err.filename else ""))
        return 1


def _drop_stdout() -> None:
    """Send whatever is still buffered for standard output nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):  # stdout closed or replaced
        pass


def _say(line: str) -> None:
    try:  # after a hangup the terminal may be gone: the exit status still tells
        print(line, file=sys.stderr)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
