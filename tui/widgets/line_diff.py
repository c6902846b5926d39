"""Which cells of a chart changed between two pictures.

Textual sends every cell of a refreshed region to the terminal. A chart whose trace moves
a little each frame would otherwise resend its whole picture every frame (about 30 KB at
120x40 once the membrane trace is full of spikes); refreshing only the changed runs of
cells sends a fraction of that (benchmarks/tui_bandwidth.py measures it).

A picture's cells are kept as two arrays, characters and looks (a number per style), so
the comparison is a few numpy operations per chart: comparing the Strips cell by cell in
Python took about 2 ms of a comparison's frame (six charts, about 100 changed lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np
from textual.geometry import Region

MERGE_GAP = 2  # a skip costs a cursor move and a style (~25 bytes): runs this close are sent as one
MAX_REGIONS = 400  # beyond this many runs, one region per changed line (cheaper to track)


@dataclass(frozen=True)
class Cells:
    """A picture's cells: chars and looks are (rows, width); `odd` rows were not exactly
    `width` characters (wide characters shift the cells), so they are compared whole."""

    chars: np.ndarray
    looks: np.ndarray
    odd: dict[int, tuple[str, str]]  # row -> its text and looks as they were


def cells_of(rows: Sequence[Sequence[tuple[str, Hashable]]], width: int, ids: dict[Hashable, int]) -> Cells:
    """The cells of rows of (text, style) runs; `ids` numbers the styles (kept by the caller
    across pictures, so that equal styles get equal numbers)."""
    texts, marks, odd = [], [], {}
    for y, row in enumerate(rows):
        text = "".join(t for t, _ in row)
        mark = "".join(chr(ids.setdefault(style, len(ids))) * len(t) for t, style in row)
        if len(text) != width:
            odd[y] = (text, mark)
            text, mark = (text + " " * width)[:width], (mark + "\0" * width)[:width]
        texts.append(text)
        marks.append(mark)
    shape = (len(texts), width)
    chars = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").reshape(shape)
    looks = np.frombuffer("".join(marks).encode("utf-32-le"), dtype="<u4").reshape(shape)
    return Cells(chars, looks, odd)


def changed_regions(old: Cells, new: Cells, width: int) -> list[Region]:
    """Regions (in the widget's own coordinates) covering every cell that differs."""
    if old.chars.shape[1] != width or new.chars.shape[1] != width:
        return [Region(0, y, width, 1) for y in range(max(len(old.chars), len(new.chars)))]
    rows = min(len(old.chars), len(new.chars))
    regions = [Region(0, y, width, 1) for y in range(rows, max(len(old.chars), len(new.chars)))]
    differ = (old.chars[:rows] != new.chars[:rows]) | (old.looks[:rows] != new.looks[:rows])
    for y in sorted((old.odd.keys() | new.odd.keys()) & set(range(rows))):  # wide characters: the whole line
        if old.odd.get(y) != new.odd.get(y):
            regions.append(Region(0, y, width, 1))
        differ[y] = False
    at = np.flatnonzero(differ)
    if at.size:
        ys, xs = np.divmod(at, width)
        # A run starts at the first changed cell, on a new row, or after a gap over MERGE_GAP.
        opens = np.empty(at.size, dtype=bool)
        opens[0] = True
        np.logical_or(ys[1:] != ys[:-1], xs[1:] - xs[:-1] > MERGE_GAP, out=opens[1:])
        starts = np.flatnonzero(opens)
        ends = np.empty_like(starts)
        ends[:-1], ends[-1] = starts[1:] - 1, at.size - 1
        regions += [Region(x0, y, x1 - x0 + 1, 1)
                    for x0, x1, y in zip(xs[starts].tolist(), xs[ends].tolist(), ys[starts].tolist())]
    if len(regions) > MAX_REGIONS:
        lines = sorted({r.y for r in regions})
        regions = [Region(0, y, width, 1) for y in lines]
    return regions
