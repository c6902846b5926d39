"""`hebblab record LAB [--pair NAME] --out FILE.cast`: a demo of the live lab (or of one of its
comparisons), recorded without a terminal.

Runs `hebblab tui LAB` in a pseudo-terminal of --size for --seconds and writes what it draws
as an asciicast v2 file (play it with asciinema, or in a browser with asciinema-player),
then takes the app's own SVG screenshot (ctrl+s) of the last frame and writes it beside the
recording as FILE.svg. Input is validated first; the two files appear together or not at all.
"""

from __future__ import annotations

import re

from hebblab.sim.params import ParamSpec

HELP_ORDER = 52
SECONDS = ParamSpec("--seconds", 10.0, "s", 0.5, 600, help="how long to record")
MIN_SIZE, MAX_SIZE = (80, 24), (400, 200)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "record", help="record a demo of a lab as an asciicast (.cast) plus an SVG screenshot",
        description="Run the live lab without a terminal and record it as an asciicast v2 file "
        "(asciinema's format), with an SVG screenshot of the last frame beside it.")
    p.add_argument("lab", nargs="?", default="chapter", metavar="LAB",
                   help="a lab name (see `hebblab labs`) or 'chapter' (default)")
    p.add_argument("--preset", help="start from this preset (see `hebblab presets LAB`)")
    p.add_argument("--seed", help="random seed, an integer in [0, 2**32-1]")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable)")
    p.add_argument("--pair", help="record the comparison of this pair's A and B (see `hebblab pairs LAB`)")
    p.add_argument("--fps", default="20", help="redraw rate in frames per second, 1..60 (default 20)")
    p.add_argument("--seconds", default="10", help="how long to record, 0.5..600 s (default 10)")
    p.add_argument("--size", default="120x40", help="terminal size WIDTHxHEIGHT, from 80x24 to 400x200 "
                   "(default 120x40)")
    p.add_argument("--out", required=True, metavar="FILE.cast", help="the recording; FILE.svg goes beside it")
    p.set_defaults(func=run)


def parse_size(text: str) -> tuple[int, int]:
    from hebblab.sim.params import ParamError

    m = re.fullmatch(r"\s*(\d{1,4})\s*[xX]\s*(\d{1,4})\s*", text)
    allowed = f"WIDTHxHEIGHT from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}"
    if not m:
        raise ParamError("--size", f"expected {allowed}, got {text!r}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        raise ParamError("--size", f"out of range: expected {allowed}, got {w}x{h}")
    return w, h


def check_out_file(text: str):
    """The .cast path and its .svg sibling, refused before recording if they cannot be written;
    a symbolic link stands for its target (written through, the link kept)."""
    import os
    from pathlib import Path

    from hebblab.engines.files import check_out_file as check_file

    cast = check_file(text, "--out")
    svg = cast.with_suffix(".svg") if cast.suffix == ".cast" else cast.with_name(cast.name + ".svg")
    check_file(str(svg), "--out")
    return Path(os.path.realpath(cast)), Path(os.path.realpath(svg))


def run(args) -> int:
    import shutil
    import sys
    import tempfile
    import time
    from pathlib import Path

    from hebblab.cli.cast import PtyProgram, Recording, record
    from hebblab.cli.commands.tui import validate
    from hebblab.errors import UsageError

    lab, preset, seed, _, fps = validate(args)
    seconds = SECONDS.parse(args.seconds)
    width, height = parse_size(args.size)
    cast, svg = check_out_file(args.out)

    argv = [sys.executable, "-m", "hebblab", "tui", lab, "--seed", str(seed), "--fps", f"{fps:g}"]
    if preset:
        argv += ["--preset", preset]
    if args.pair:  # checked by validate(): a pair of this lab
        argv += ["--pair", args.pair]
    for item in args.sets:
        argv += ["--set", item]
    work = Path(tempfile.mkdtemp(prefix="hebblab-record-"))
    program = PtyProgram(argv, width, height, cwd=str(work))
    recording = Recording(width, height, title=f"hebblab {lab}" + (f" --preset {preset}" if preset else "")
                          + (f" --pair {args.pair}" if args.pair else ""))
    try:
        # The clock starts with the first frame: start-up time depends on the machine.
        while not recording.events and program.alive():
            record(program, 0.1, recording)
        record(program, seconds, recording)
        if not program.alive():
            tail = "".join(t for _, t in recording.events)[-200:]
            plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", tail).strip().splitlines()
            raise UsageError(f"record: the lab exited early (status {program.status})"
                             + (f": {plain[-1].strip()}" if plain else ""))
        shots = work / "hebblab-runs"
        deadline = time.monotonic() + 20
        asked = 0.0
        while time.monotonic() < deadline and not list(shots.glob("*.svg")):
            if time.monotonic() - asked > 3:  # ask again: a key sent while the app was busy can be lost
                program.send("\x13")  # ctrl+s: the app's own SVG screenshot of this very frame
                asked = time.monotonic()
            program.read(0.1)
        found = sorted(shots.glob("*.svg"))
        if not found:
            raise UsageError("record: the lab did not save its screenshot within 20 s")
        time.sleep(0.2)  # the screenshot is written in one call; let it close
        program.send("q")
        program.wait(10.0, drain=lambda _: None)
        _write_together(cast, recording.dumps(), svg, found[-1].read_text(encoding="utf-8"))
    finally:
        program.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {cast} ({len(recording.events)} frames, {seconds:g} s, {width}x{height}) and {svg}")
    return 0


def _write_together(cast, cast_text: str, svg, svg_text: str) -> None:
    """Both files or neither: each is written to a temporary name, then both renamed."""
    import os
    import tempfile

    from hebblab.interrupts import held
    from hebblab.runfiles import _umask

    temps = []
    try:
        for path, text in ((cast, cast_text), (svg, svg_text)):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
            temps.append(tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a demo is not
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        with held():
            os.replace(temps[0], cast)
            os.replace(temps[1], svg)
            temps = []
    finally:
        for tmp in temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
