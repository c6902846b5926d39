"""Render Textual SVG screenshots to PNG cell-accurately (a tool for looking, not a test).

Textual's SVG gives each run of same-style text one `<text x=.. textLength=..>`; the
terminal cell grid lives only in `textLength`. librsvg (`rsvg-convert`) ignores
`textLength`, and the fallback font for braille (DejaVu Sans) is wider than a cell, so a
run of braille chart dots is drawn ~20 % too long and spills past the chart's frame in
the PNG although every terminal draws it inside (one glyph per cell). This script places
every character at its own cell (x + i * textLength / n) before converting, so the PNG
shows what a terminal shows.

    python -m tests.tui.snapshot_png [SVG ...] [--out DIR]   (default: every snapshot)
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
_TEXT = re.compile(r'<text([^>]*?) x="([0-9.]+)"([^>]*?) textLength="([0-9.]+)"([^>]*)>([^<]*)</text>')


def per_cell(svg: str) -> str:
    """The SVG with each multi-character text run split into one element per cell."""

    def split(m: re.Match) -> str:
        before, x, middle, length, after, body = m.groups()
        chars = html.unescape(body)
        if len(chars) <= 1:
            return m.group(0)
        cell = float(length) / len(chars)
        return "".join(
            f'<text{before} x="{float(x) + i * cell:.2f}"{middle} textLength="{cell:.2f}"{after}>'
            f"{html.escape(ch)}</text>"
            for i, ch in enumerate(chars) if ch not in (" ", "\u00a0"))

    return _TEXT.sub(split, svg)


def convert(svg_path: Path, png_path: Path, width: int = 1200) -> None:
    fixed = png_path.with_suffix(".cells.svg")
    fixed.write_text(per_cell(svg_path.read_text(encoding="utf-8")), encoding="utf-8")
    subprocess.run(["rsvg-convert", "-w", str(width), str(fixed), "-o", str(png_path)], check=True)
    fixed.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("svgs", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/hebblab-snapshots"))
    args = parser.parse_args(argv)
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert is not installed", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for svg in args.svgs or sorted(SNAPSHOTS.glob("*.svg")):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", svg.stem).strip("_")
        png = args.out / f"{name}.png"
        convert(svg, png)
        print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
