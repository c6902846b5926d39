"""`hebblab tui [LAB]`: open the live terminal lab (the chapter view by default).

Everything is validated before Textual starts, so bad input is a one-line error and exit
status 2, never a half-drawn screen. TERM and HUP (the terminal closed) quit the app the
way `q` does, restoring the terminal, with exit status 128 + the signal number. Textual is
imported only inside run().
"""

from __future__ import annotations

import os
import sys

from hebblab.interrupts import Interrupted, handled
from hebblab.sim.params import ParamSpec

HELP_ORDER = 5
CHAPTER = "chapter"
FPS = ParamSpec("--fps", 20.0, "fps", 1, 60, help="redraw rate")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tui", help="open the live lab in the terminal (default: the chapter view)",
        description="Open a lab live in the terminal: parameters left, charts right. "
                    "LAB 'chapter' (the default) shows the LIF neuron beside the Hebbian network; "
                    "there --preset and --set apply to the hebb lab. Press ? inside for the keys.")
    p.add_argument("lab", nargs="?", default=CHAPTER, metavar="LAB",
                   help="a lab name (see `hebblab labs`) or 'chapter' (default)")
    p.add_argument("--preset", help="start from this preset (see `hebblab presets LAB`)")
    p.add_argument("--seed", help="random seed, an integer in [0, 2**32-1] (default: the preset's, else 0)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable)")
    p.add_argument("--fps", default="20", help="redraw rate in frames per second, 1..60 (default 20)")
    p.set_defaults(func=run)


def validate(args):
    """(lab name, preset, seed, overrides, fps) from args, or ParamError/UsageError."""
    from hebblab.sim.labs import get_lab
    from hebblab.cli.run_inputs import name_notices, parse_seed, parse_sets, print_notices

    lab_name = args.lab
    lab_cls = get_lab("hebb") if lab_name == CHAPTER else get_lab(lab_name)
    preset = lab_cls.preset(args.preset)  # ParamError names the valid presets
    overrides = parse_sets(lab_cls, args.sets)  # keyed by current names
    lab_cls.resolve_params(preset.name if args.preset else None, overrides)  # ranges + cross-checks
    seed = parse_seed(args.seed) if args.seed is not None else (preset.seed or 0)
    fps = FPS.parse(args.fps)
    print_notices(name_notices(lab_cls, args.sets))  # input is valid: say which old names were used
    return lab_name, args.preset, seed, overrides, fps


def run(args) -> int:
    from hebblab.errors import UsageError

    lab, preset, seed, overrides, fps = validate(args)
    served = bool(os.environ.get("TEXTUAL_DRIVER"))  # textual-serve runs us over a pipe
    if not served and not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise UsageError("tui: needs an interactive terminal; for headless runs use `hebblab run LAB`")
    from hebblab.tui.app import HebblabApp

    app = HebblabApp(lab, preset=preset, seed=seed, overrides=overrides, fps=fps)
    with handled(react=lambda signum: quit_app(app, signum)):  # ctrl+c itself is a key in the app
        app.run()
    return int(app.return_code or 0)


def quit_app(app, signum: int) -> None:
    """TERM or HUP (the terminal closed): quit through Textual, which restores the terminal,
    with exit status 128 + signum; before the event loop runs, unwind like ctrl+c."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()  # the handler runs in the main thread, the loop's
    except RuntimeError:
        raise Interrupted(signum) from None
    loop.call_soon_threadsafe(app.exit, None, 128 + signum)
