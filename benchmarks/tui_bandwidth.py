"""TUI bandwidth: bytes per second the live lab writes to its terminal.

    python benchmarks/tui_bandwidth.py [--lab chapter] [--size 120x40] [--seconds 10]
                                       [--warmup 3] [--fps N] [--low-bandwidth]

Runs a real `hebblab tui LAB` (running, as a user sees it) in a pseudo-terminal of --size,
skips --warmup seconds (launch and the first full paint), then counts every byte the app
writes for --seconds: what an SSH link or `hebblab serve`'s websocket has to carry. Goal:
under 100 KiB/s at 120x40 at the default frame rate with the chapter view running.
Preferences and SSH detection are neutralised (an empty config directory, no SSH_*
variables) so the numbers are for the flags given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

GOAL_KIB_S = 100.0


def measure(lab: str = "chapter", size: tuple[int, int] = (120, 40), seconds: float = 10.0,
            warmup: float = 3.0, extra: list[str] | None = None) -> dict[str, float]:
    """Bytes per second the app writes once running; also writes per second and frames."""
    from hebblab.cli.cast import PtyProgram

    argv = [sys.executable, "-m", "hebblab", "tui", lab, *(extra or [])]
    with tempfile.TemporaryDirectory(prefix="hebblab-bw-") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
        env["XDG_CONFIG_HOME"] = work
        program = PtyProgram(argv, *size, cwd=work, env=env)
        try:
            while program.alive() and not program.read(0.1):  # the first paint
                pass
            end = time.monotonic() + warmup
            while time.monotonic() < end and program.alive():
                program.read(0.05)
            total, writes = 0, 0
            start = time.monotonic()
            end = start + seconds
            while time.monotonic() < end and program.alive():
                text = program.read(0.05)
                if text:
                    total += len(text.encode("utf-8"))
                    writes += 1
            elapsed = time.monotonic() - start
            if not program.alive():
                raise RuntimeError(f"hebblab tui exited early (status {program.status})")
            program.send("q")
            program.wait(10.0)
        finally:
            program.stop()
    return {"kib_s": total / 1024 / elapsed, "bytes": total, "reads_s": writes / elapsed, "seconds": elapsed}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="chapter")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--fps", default=None, help="passed to hebblab tui (default: its own)")
    parser.add_argument("--low-bandwidth", action="store_true", help="pass --low-bandwidth")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    extra = (["--fps", args.fps] if args.fps else []) + (["--low-bandwidth"] if args.low_bandwidth else [])
    result = measure(args.lab, (width, height), args.seconds, args.warmup, extra)
    flags = " ".join(extra) or "(defaults)"
    print(f"{args.lab} {width}x{height} {flags}: {result['kib_s']:.1f} KiB/s over {result['seconds']:.1f} s "
          f"({result['reads_s']:.1f} writes/s); goal < {GOAL_KIB_S:g} KiB/s: ratio "
          f"{GOAL_KIB_S / result['kib_s']:.2f}; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
