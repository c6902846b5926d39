"""The changed cells of a chart: numpy arrays against a cell-by-cell walk of the same rows."""

from __future__ import annotations

import random

from textual.geometry import Region

from hebblab.tui.widgets.line_diff import MAX_REGIONS, MERGE_GAP, cells_of, changed_regions

STYLES = ("a", "b", "c")
GLYPHS = " ⠁⠂⠄⡀⣿┤─x"


def random_row(rng: random.Random, width: int) -> list[tuple[str, str]]:
    row, left = [], width
    while left:
        n = rng.randint(1, min(left, 8))
        row.append(("".join(rng.choice(GLYPHS) for _ in range(n)), rng.choice(STYLES)))
        left -= n
    return row


def mutate(rng: random.Random, rows: list, width: int, share: float) -> list:
    """A copy with about `share` of the cells given a new glyph or style."""
    out = []
    for row in rows:
        cells = [(ch, style) for text, style in row for ch in text]
        for x in range(width):
            if rng.random() < share:
                cells[x] = (rng.choice(GLYPHS), cells[x][1]) if rng.random() < 0.5 else (cells[x][0], rng.choice(STYLES))
        out.append([(ch, style) for ch, style in cells])
    return out


def walked(old: list, new: list, width: int) -> list[Region]:
    """The reference: walk every cell of every row, open a run at a change, close it after a
    gap over MERGE_GAP."""
    regions = []
    for y in range(max(len(old), len(new))):
        if y >= len(old) or y >= len(new):
            regions.append(Region(0, y, width, 1))
            continue
        a = [(ch, s) for text, s in old[y] for ch in text]
        b = [(ch, s) for text, s in new[y] for ch in text]
        start = last = None
        for x in range(width):
            if a[x] == b[x]:
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
        regions = [Region(0, y, width, 1) for y in sorted({r.y for r in regions})]
    return regions


def test_regions_match_a_cell_by_cell_walk():
    rng = random.Random(5)
    for trial in range(300):
        width, height = rng.randint(1, 60), rng.randint(0, 20)
        old = [random_row(rng, width) for _ in range(height)]
        new = mutate(rng, old, width, rng.choice((0.0, 0.01, 0.1, 0.5, 1.0)))
        if rng.random() < 0.2:  # the picture grew or shrank by some rows
            new = new[: rng.randint(0, height)] if rng.random() < 0.5 else new + [random_row(rng, width)]
        ids: dict = {}
        got = changed_regions(cells_of(old, width, ids), cells_of(new, width, ids), width)
        assert sorted(got) == sorted(walked(old, new, width)), trial


def test_same_picture_changes_nothing_and_a_style_alone_is_a_change():
    rows = [[("⠁⠂", "a"), ("x", "b")]]
    ids: dict = {}
    assert changed_regions(cells_of(rows, 3, ids), cells_of(rows, 3, ids), 3) == []
    restyled = [[("⠁⠂", "a"), ("x", "c")]]
    assert changed_regions(cells_of(rows, 3, ids), cells_of(restyled, 3, ids), 3) == [Region(2, 0, 1, 1)]


def test_a_row_of_wide_characters_is_sent_whole():
    ids: dict = {}
    plain = cells_of([[("abcd", "a")], [("abcd", "a")]], 4, ids)
    wide = cells_of([[("ab", "a"), ("界", "a")], [("abcd", "a")]], 4, ids)
    assert changed_regions(plain, wide, 4) == [Region(0, 0, 4, 1)]
    assert changed_regions(wide, wide, 4) == []
    assert changed_regions(wide, plain, 4) == [Region(0, 0, 4, 1)]
