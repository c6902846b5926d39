"""`hebblab tui [LAB]`: open the live terminal lab (the chapter view by default).

Everything is validated before Textual starts, so bad input is a one-line error and exit
status 2, never a half-drawn screen. TERM and HUP (the terminal closed) quit the app the
way `q` does, restoring the terminal, with exit status 128 + the signal number. Textual is
imported only inside run(). --exercise-file files are loaded and checked here too, as
`hebblab exercise --file` checks them.
"""

from __future__ import annotations

import os
import sys

from hebblab.interrupts import Interrupted, handled
from hebblab.sim.params import ParamSpec
from hebblab.bandwidth import LOW_BUDGET_KIB_S, LOW_FPS, SSH_FPS, in_ssh_session

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
    p.add_argument("--fps", default=None, help="redraw rate in frames per second, 1..60 (default: the "
                   "preferences file's fps, else 20; 10 in an SSH session)")
    p.add_argument("--pair", help="open as a comparison of this pair's A and B (see `hebblab pairs LAB`)")
    p.add_argument("--exercise-file", dest="exercise_files", action="append", default=[], metavar="PATH",
                   help="an exercise file (TOML, as `hebblab exercise --file` reads; repeatable): listed first "
                   "under x. With one file the app opens on its question, in the exercise's own lab, preset "
                   "or pair (LAB, --preset, --pair and --set are then set aside)")
    p.add_argument("--low-bandwidth", action="store_true",
                   help=f"for a slow link: {LOW_FPS:g} fps unless --fps is given, and redraws paced to "
                   f"stay under {LOW_BUDGET_KIB_S:g} KiB/s (in an SSH session the default is {SSH_FPS:g} fps)")
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
    fps = FPS.parse(args.fps) if args.fps is not None else None
    if getattr(args, "pair", None):  # a comparison of one lab (not the chapter view)
        from hebblab.errors import UsageError
        from hebblab.sim.compare import get_pair

        if lab_name == CHAPTER:
            raise UsageError("--pair: needs a lab (the chapter view shows two); e.g. `hebblab tui lif --pair ex1`")
        get_pair(lab_cls, args.pair)  # ParamError names the lab's pairs
    print_notices(name_notices(lab_cls, args.sets))  # input is valid: say which old names were used
    return lab_name, args.preset, seed, overrides, fps


def load_exercise_files(paths) -> list:
    """The exercises of --exercise-file, each loaded and checked as `hebblab exercise --file`
    does (the same message after the option's name); a file given twice is loaded once."""
    from hebblab.errors import UsageError
    from hebblab.exercises import ExerciseError, load

    exercises, seen = [], set()
    for path in paths:
        key = os.path.realpath(path)
        if key in seen:
            continue
        seen.add(key)
        try:
            exercises.append(load(path))
        except ExerciseError as err:
            raise UsageError(f"--exercise-file: {err}") from None
    return exercises


def exercise_start(args, ex, seed: int) -> tuple[str, str, int, dict, str | None, str | None]:
    """Where the app opens for one exercise file: (lab, preset, seed, overrides, pair, notice).
    The exercise's own lab with its preset, or its pair; --seed still applies. A notice
    says which of LAB, --preset, --pair and --set were set aside for it."""
    from hebblab.exercises import run_setup

    preset, own_seed, _, _ = run_setup(ex)
    aside = [f"LAB {args.lab}"] if args.lab not in (CHAPTER, ex.lab) else []
    aside += [opt for opt, given in (("--preset", args.preset), ("--pair", getattr(args, "pair", None)),
                                     ("--set", args.sets)) if given]
    notice = (f"exercise {ex.name} opens its own lab, {ex.lab}: {', '.join(aside)} set aside") if aside else None
    chosen_seed = seed if args.seed is not None else own_seed
    return ex.lab, (ex.preset if ex.pair else preset), chosen_seed, {}, ex.pair, notice


def run(args) -> int:
    from hebblab.errors import UsageError

    lab, preset, seed, overrides, fps = validate(args)
    exercises = load_exercise_files(getattr(args, "exercise_files", []))
    pair, notice = getattr(args, "pair", None), None
    if len(exercises) == 1:
        lab, preset, seed, overrides, pair, notice = exercise_start(args, exercises[0], seed)
    served = bool(os.environ.get("TEXTUAL_DRIVER"))  # textual-serve runs us over a pipe
    if not served and not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise UsageError("tui: needs an interactive terminal; for headless runs use `hebblab run LAB`")
    from hebblab import prefs as user_prefs

    prefs, warning = user_prefs.load()
    if warning:
        print(warning, file=sys.stderr)
    low = bool(getattr(args, "low_bandwidth", False))
    fps = fps if fps is not None else default_fps(prefs.fps, low, in_ssh_session())
    from hebblab.tui.app import HebblabApp

    make_app = HebblabApp
    if pair:  # open on a comparison (tui/compare_mode.py)
        from hebblab.tui.compare_mode import compare_app

        def make_app(lab_, **kwargs):
            return compare_app(lab_, pair, **kwargs)

    # A config file that could not be read in full is never overwritten (the user may be editing it).
    app = make_app(lab, preset=preset, seed=seed, overrides=overrides, fps=fps, prefs=prefs,
                   prefs_path=None if warning else user_prefs.config_path(),
                   notice="; ".join(n for n in (warning, notice) if n) or None,
                   low_bandwidth=low, exercises=exercises)
    with handled(react=lambda signum: quit_app(app, signum)):  # ctrl+c itself is a key in the app
        app.run()
    return int(app.return_code or 0)


def default_fps(preferred: float | None, low_bandwidth: bool, ssh: bool) -> float:
    """The frame rate when --fps is not given: --low-bandwidth's, else the preferences
    file's, else fewer frames in an SSH session (every frame crosses the network)."""
    if low_bandwidth:
        return LOW_FPS
    if preferred is not None:
        return preferred
    return SSH_FPS if ssh else FPS.default


def quit_app(app, signum: int) -> None:
    """TERM or HUP (the terminal closed): quit through Textual, which restores the terminal,
    with exit status 128 + signum; before the event loop runs, unwind like ctrl+c."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()  # the handler runs in the main thread, the loop's
    except RuntimeError:
        raise Interrupted(signum) from None
    loop.call_soon_threadsafe(app.exit, None, 128 + signum)
