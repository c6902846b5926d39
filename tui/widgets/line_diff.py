"""Which parts of a widget's lines changed between two renderings.

Textual sends every cell of a refreshed region to the terminal. A chart whose trace moves
a little each frame would otherwise resend its whole picture every frame (about 30 KB at
120x40 once the membrane trace is full of spikes); refreshing only the changed runs of
cells sends a fraction of that (benchmarks/tui_bandwidth.py measures it).
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip

MERGE_GAP = 2  # a skip costs a cursor move and a style (~25 bytes): runs this close are sent as one
MAX_REGIONS = 400  # beyond this many runs, one region per changed line (cheaper to track)


def _cells(strip: Strip) -> list[tuple[str, object]]:
    return [(ch, seg.style) for seg in strip for ch in seg.text]


def changed_regions(old: list[Strip], new: list[Strip], width: int) -> list[Region]:
    """Regions (in the widget's own coordinates) covering every cell that differs."""
    regions: list[Region] = []
    for y in range(max(len(old), len(new))):
        if y >= len(old) or y >= len(new):
            regions.append(Region(0, y, width, 1))
            continue
        a, b = old[y], new[y]
        if a is b or (a.text == b.text and list(a) == list(b)):
            continue
        ca, cb = _cells(a), _cells(b)
        if len(ca) != len(cb):  # wide characters shifted the cells: the whole line
            regions.append(Region(0, y, width, 1))
            continue
        start = last = None
        for x, (p, q) in enumerate(zip(ca, cb)):
            if p == q:
                continue
            if start is not None and x - last > MERGE_GAP:
                regions.append(Region(start, y, last - start + 1, 1))
                start = None
            if start is None:
                start = x
            last = x
        if start is not None:
            regions.append(Region(start, y, last - start + 1, 1))
    if len(regions) > MAX_REGIONS:
        rows = sorted({r.y for r in regions})
        regions = [Region(0, y, width, 1) for y in rows]
    return regions
