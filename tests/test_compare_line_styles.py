"""A comparison's overlaid charts: A's rows solid, B's dotted, so that no row of A ever looks
like a row of B (colour and line style), in colour and without, and the legend names each
line with a sample of its own look (in colour, k >= 2 rows a side with the same names get one
entry a row: tests/test_compare_legend.py). Checked on the rendered cells, not on the figure."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hebblab.chart_figures import Figure, Layer, describe, same_data
from hebblab.chart_render import HLINE_SAMPLE, _DOTS, draw, render_series
from hebblab.compare_view import display_pair, pair_series
from hebblab.sim.series import Series, SeriesSpec

PALETTE = 6  # both front ends have six series colours (the CLI's ANSI ones, the TUI's theme's)
LEFT = int(_DOTS[:, 0].sum())  # the braille bits of a cell's left dot column
RIGHT = int(_DOTS[:, 1].sum())
SPEC = SeriesSpec("w", "trace", "Weights", "time (ms)", "w (a.u.)")


def _braille(ch: str) -> int:
    """The dot bits of a braille cell, 0 for anything else (text, frame, blank)."""
    code = ord(ch) - 0x2800
    return code if 0 < code < 256 else 0


def _cells(rows) -> list[list[tuple[str, object]]]:
    """Each row as (character, ink) per cell."""
    return [[(ch, ink) for text, ink in row for ch in text] for row in rows]


def _dots(rows) -> set[tuple[int, int]]:
    """Every braille dot drawn, as (sub-column, sub-row) of the whole picture."""
    out = set()
    for r, row in enumerate(_cells(rows)):
        for c, (ch, _) in enumerate(row):
            bits = _braille(ch)
            for i in range(4):
                for j in range(2):
                    if bits & int(_DOTS[i, j]):
                        out.add((2 * c + j, 4 * r + i))
    return out


def _pair(k_a: int, k_b: int | None = None, hlines=None, n: int = 200) -> Series:
    """A and B with flat rows at distinct levels (A's row i at 2i, B's at 2i + 1), one text
    row each: every line of the chart can be told by its row."""
    k_b = k_a if k_b is None else k_b
    x = np.arange(float(n))
    top = 2 * max(k_a, k_b) - 0.5

    def side(k, offset):
        y = np.array([np.full(n, 2.0 * i + offset) for i in range(k)])
        labels = tuple(f"r{i}" for i in range(k)) if k > 1 else ()
        return Series(SPEC, y, x=x, labels=labels, hlines=dict(hlines or {}), y_range=(-0.5, top))

    (s,) = pair_series(side(k_a, 0.0), side(k_b, 1.0))
    return s


def _lines(rows, k_a: int, k_b: int) -> dict[str, dict]:
    """The lines found in the plot, by name ("A 0", "B 2"): their cells' colours and bits.
    Levels are flat and one text row apart at least, so the text rows holding braille are the
    lines, top to bottom in descending level."""
    levels = sorted([(2 * i, f"A {i}") for i in range(k_a)] + [(2 * i + 1, f"B {i}") for i in range(k_b)],
                    reverse=True)
    found = []
    for row in _cells(rows):
        mine = [(_braille(ch), ink) for ch, ink in row if _braille(ch)]
        if mine:
            found.append(mine)
    assert len(found) == len(levels), "each flat line on a text row of its own"
    return {name: {"colours": {ink.fg for _, ink in cells}, "bits": [b for b, _ in cells]}
            for (_, name), cells in zip(levels, found)}


def _style(bits: list[int]) -> str:
    if all(b & LEFT and b & RIGHT for b in bits):
        return "solid"  # every dot column of every cell
    if all(b & LEFT and not b & RIGHT for b in bits):
        return "dotted"  # every other dot column
    return "mixed"


@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_no_row_of_a_looks_like_a_row_of_b(k):
    rows = render_series(_pair(k), 120, 44, color=True).rows
    lines = _lines(rows, k, k)
    looks = {}
    for name, line in lines.items():
        assert len(line["colours"]) == 1, f"{name} drawn in one colour"
        colour = next(iter(line["colours"]))
        looks[name] = (colour % PALETTE, _style(line["bits"]))
        assert looks[name][1] == ("solid" if name.startswith("A") else "dotted"), name
        assert len(line["bits"]) > 0.6 * (120 - 10), f"{name} drawn along the plot"
    assert len(set(looks.values())) == len(looks), looks  # every line its own look
    a_colours = {looks[f"A {i}"][0] for i in range(k)}
    assert len(a_colours) == k  # A's rows (and B's) need no colour twice: no wrap-around
    if k == 1:  # one row a side: two colours as well as two styles
        assert looks["A 0"][0] != looks["B 0"][0]
    else:  # several: row i of each side shares row i's colour, told apart by style
        assert all(looks[f"A {i}"][0] == looks[f"B {i}"][0] for i in range(k))


def test_sides_of_different_sizes_never_clash():
    rows = render_series(_pair(2, 3), 120, 44, color=True).rows
    lines = _lines(rows, 2, 3)
    looks = [(next(iter(line["colours"])) % PALETTE, _style(line["bits"])) for line in lines.values()]
    assert len(set(looks)) == 5


def test_b_flat_line_has_a_gap_every_other_dot_column_a_none():
    rows = render_series(_pair(1), 100, 20, color=True).rows
    dots = _dots(rows)
    by_row: dict[int, list[int]] = {}
    for sx, sy in dots:
        by_row.setdefault(sy, []).append(sx)
    (a_row, a_cols), (b_row, b_cols) = sorted(by_row.items(), reverse=True)  # A below B (level 0 < 1)
    a_cols, b_cols = sorted(a_cols), sorted(b_cols)
    assert a_cols == list(range(a_cols[0], a_cols[-1] + 1))  # continuous
    assert np.all(np.diff(b_cols) == 2)  # a dot, a gap, a dot...
    assert b_cols[0] <= a_cols[0] + 1 and b_cols[-1] >= a_cols[-1] - 1  # along the same span
    assert len(a_cols) > 150


def test_b_steep_run_is_dotted_too():
    """A jump (a vertical run) of a dotted line keeps every other dot row, not the whole run."""
    x = np.arange(100.0)
    y = np.where(x < 50, 0.0, 1.0)

    def run_rows(style):
        fig = Figure(layers=[Layer(x, y, 0, "line", style=style)], y_range=(-0.1, 1.1))
        dots = _dots(draw(fig, 60, 30))
        xs = [sx for sx, sy in dots]
        # the jump's sub-columns: where the dots stand between the two flat levels
        lo = min(sy for _, sy in dots)
        hi = max(sy for _, sy in dots)
        return sorted({sy for sx, sy in dots if lo < sy < hi}), lo, hi, len(dots), len(xs)

    solid, lo, hi, n_solid, _ = run_rows("solid")
    dotted, lo2, hi2, n_dotted, _ = run_rows("dotted")
    assert (lo, hi) == (lo2, hi2)
    assert solid == list(range(lo + 1, hi))  # unbroken
    assert dotted and all(sy % 2 == 0 for sy in dotted)  # every other dot row
    assert len(dotted) == len([sy for sy in solid if sy % 2 == 0])
    assert 0.4 < n_dotted / n_solid < 0.6  # half the dots in all


@pytest.mark.parametrize("k", [1])  # k >= 2 named rows a side: one entry a row (tests/test_compare_legend.py)
def test_legend_names_every_line_with_a_sample_of_its_look(k):
    picture = render_series(_pair(k, hlines={"threshold": 2.0 * k - 0.25, "rest": -0.25}), 140, 44, color=True)
    text_rows = ["".join(ch for ch, _ in row) for row in _cells(picture.rows)]
    cells = _cells(picture.rows)
    names = [f"{side} r{i}" if k > 1 else side for side in "AB" for i in range(k)]
    samples = {}
    for name in names + ["threshold", "rest"]:
        hits = [(r, m.start(1)) for r, t in enumerate(text_rows) if r > 0  # (not the title)
                for m in re.finditer(r"(\S) " + re.escape(name) + r"(?!\d)", t)]
        assert len(hits) == 1, f"{name} once in the legend"
        r, c = hits[0]
        samples[name] = (cells[r][c][0], cells[r][c][1].fg)
    for name in names:
        sample, colour = samples[name]
        assert sample == ("━" if name.startswith("A") else "┅"), name
        i = int(name[-1]) if k > 1 else 0
        a_colour = samples[f"A r{i}" if k > 1 else "A"][1]
        if name.startswith("B"):
            assert (colour == a_colour) == (k > 1)  # shared colour only when several rows
    assert samples["threshold"][0] == HLINE_SAMPLE["dashed"] and samples["rest"][0] == HLINE_SAMPLE["dotted"]
    data_samples = {samples[n][0] for n in names}
    assert not data_samples & set(HLINE_SAMPLE.values())  # a B line is never read as a reference
    # every line's look is unique in the legend too
    assert len({samples[n] for n in names}) == len(names)


def test_b_line_is_not_drawn_like_a_reference_line():
    """A dotted reference line leaves every other cell blank, a dashed one every third; B's
    flat line fills every cell of its span (one dot each)."""
    s = _pair(1, hlines={"threshold": 1.4, "rest": -0.4})  # B at 1.0, A at 0.0
    rows = render_series(s, 100, 30, color=True).rows
    found = []
    for row in _cells(rows):
        idx = [c for c, (ch, _) in enumerate(row) if _braille(ch)]
        if idx:
            found.append((row, idx))
    assert len(found) == 4  # threshold, B, A, rest from the top
    (_, thr), (b_row, b_idx), _, (_, rest) = found
    b_span = range(b_idx[0], b_idx[-1] + 1)
    assert set(b_idx) == set(b_span)  # no blank cell in B's line
    assert len(set(range(thr[0], thr[-1] + 1)) - set(thr)) > len(thr) // 4  # the references have gaps
    assert len(set(range(rest[0], rest[-1] + 1)) - set(rest)) > len(rest) // 2


@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_without_colour_no_row_of_a_shares_a_look_with_b(k):
    picture = render_series(_pair(k), 140, 44, color=False)
    text_rows = ["".join(ch for ch, _ in row) for row in _cells(picture.rows)]
    names = [f"{side} r{i}" if k > 1 else side for side in "AB" for i in range(k)]
    samples = {}
    for name in names:
        hits = [m.group(1) for t in text_rows[1:] for m in re.finditer(r"(\S) " + re.escape(name) + r"(?!\d)", t)]
        assert len(hits) == 1, name
        samples[name] = hits[0]
    assert len(set(samples.values())) == len(names), samples  # each its own sample
    assert samples[names[0]] == "━" and samples[names[k]] == "┅"  # the first of each side: braille lines
    assert not set(samples.values()) & set(HLINE_SAMPLE.values())
    # each glyph line is drawn with its legend's glyph, on its own row, and the braille lines
    # keep their styles
    levels = sorted([(2 * i, names[i]) for i in range(k)] + [(2 * i + 1, names[k + i]) for i in range(k)],
                    reverse=True)
    glyphs = set(samples.values()) - {"━", "┅"}
    data_rows = []
    for t in text_rows[1:-2]:  # the plot's rows: after the y axis ("┤" or "│"), before the frame
        inner = re.sub(r"\S [AB](?: r\d)?", "", re.split("[┤│]", t, maxsplit=1)[1])  # (not legend entries)
        marks = [ch for ch in inner if _braille(ch) or ch in glyphs]
        if len(marks) > 20:  # a line (a legend row has a few glyphs at most)
            data_rows.append(marks)
    assert len(data_rows) == 2 * k
    for (_, name), marks in zip(levels, data_rows):
        sample = samples[name]
        if sample in ("━", "┅"):
            style = _style([_braille(ch) for ch in marks])
            assert style == ("solid" if sample == "━" else "dotted"), name
        else:
            assert set(marks) == {sample}, name


def test_single_lab_charts_keep_their_looks():
    """Without line styles (every lab's own charts) row i keeps colour i, solid, and an
    explicit all-solid style changes nothing."""
    x = np.arange(100.0)
    y = np.array([np.sin(x / 10 + i) for i in range(8)])
    plain = Series(SPEC, y, x=x, labels=tuple(f"r{i}" for i in range(8)), hlines={"thr": 0.5})
    fig = describe(plain, 100, 20)
    assert [(l.color, l.style) for l in fig.layers] == [(i, "solid") for i in range(8)]
    assert [h[1] for h in fig.hlines] == [8]
    solid = Series(SPEC, y, x=x, labels=plain.labels, hlines={"thr": 0.5}, extra={"line_styles": ("solid",) * 8})
    for color in (True, False):
        assert render_series(plain, 100, 20, color).rows == render_series(solid, 100, 20, color).rows


def test_pair_series_marks_b_rows_and_a_redraw_sees_it():
    (s,) = pair_series(_side := Series(SPEC, np.zeros((2, 5)), x=np.arange(5.0), labels=("p", "q")),
                       Series(SPEC, np.ones((3, 5)), x=np.arange(5.0), labels=("p", "q", "r")))
    assert s.extra["line_styles"] == ("solid", "solid", "dotted", "dotted", "dotted")
    assert s.labels == ("A p", "A q", "B p", "B q", "B r")
    other = Series(s.spec, s.y, x=s.x, labels=s.labels, hlines=s.hlines, version=s.version)
    assert not same_data(s, other)  # same numbers, another look: drawn again
    # a live comparison with B on another time step stays overlaid, B still dotted
    b = Series(SPEC, np.ones((2, 9)), x=np.linspace(0, 4, 9), labels=("p", "q"))
    (live,) = display_pair(_side, b)
    assert live.extra["line_styles"] == ("solid",) * 2 + ("dotted",) * 2


@pytest.mark.parametrize("k", [1, 2, 4])
def test_b_equal_to_a_still_shows(k):
    """B's rows lying on A's (the same weights on both sides): the run shows A's solid cells
    and B's dotted ones by turns, not A's alone (same colour, merged dots would hide B)."""
    x = np.arange(200.0)
    y = np.array([np.full(200, 3.0 * i) for i in range(k)])
    labels = tuple(f"r{i}" for i in range(k)) if k > 1 else ()
    side = Series(SPEC, y, x=x, labels=labels, y_range=(-1.0, 3.0 * k))
    (s,) = pair_series(side, side)
    rows = render_series(s, 120, 30, color=True).rows
    found = [[(_braille(ch), ink.fg) for ch, ink in row if _braille(ch)] for row in _cells(rows)]
    found = [cells for cells in found if cells]
    assert len(found) == k
    for cells in found:
        solid = [c for b, c in cells if b & LEFT and b & RIGHT]
        dotted = [c for b, c in cells if b & LEFT and not b & RIGHT]
        assert len(solid) > len(cells) / 4 and len(dotted) > len(cells) / 4
        assert len(solid) + len(dotted) == len(cells)
        if k == 1:  # two colours as well: the solid cells A's, the dotted B's
            assert set(solid) != set(dotted) and len(set(solid)) == len(set(dotted)) == 1
