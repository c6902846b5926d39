"""A comparison's legend with k >= 2 named rows a side (the same names on both sides): in
colour, one entry per row name in that row's colour with both samples ("━┅ w[0,0]") after
one key entry saying which style is which side ("━ A  ┅ B"): k + 1 entries, not 2k.
One row a side, sides with other names, no colour and single-lab charts keep a legend that
names every line. Checked on the rendered cells."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hebblab.chart_figures import describe
from hebblab.chart_render import LINE_SAMPLE, render_series
from hebblab.compare_view import display_pair, pair_series
from hebblab.sim.series import Series, SeriesSpec

SPEC = SeriesSpec("w", "trace", "Weights", "time (ms)", "w (a.u.)")
KEY = f"{LINE_SAMPLE['solid']} A  {LINE_SAMPLE['dotted']} B"
BOTH = LINE_SAMPLE["solid"] + LINE_SAMPLE["dotted"]


def _side(k: int, offset: float, names=None, n: int = 200, hlines=None) -> Series:
    """k flat rows at 2i + offset (A: offset 0, B: 1), one text row apart at the size used."""
    x = np.arange(float(n))
    y = np.array([np.full(n, 2.0 * i + offset) for i in range(k)])
    names = tuple(names or (f"r{i}" for i in range(k))) if k > 1 else ()
    return Series(SPEC, y, x=x, labels=names, hlines=dict(hlines or {}), y_range=(-0.5, 2 * k - 0.5))


def _pair(k_a: int, k_b: int | None = None, names_b=None, hlines=None) -> Series:
    k_b = k_a if k_b is None else k_b
    (s,) = pair_series(_side(k_a, 0.0, hlines=hlines), _side(k_b, 1.0, names_b, hlines=hlines))
    return s


def _cells(rows):
    return [[(ch, ink) for text, ink in row for ch in text] for row in rows]


def _texts(rows) -> list[str]:
    return ["".join(ch for ch, _ in row) for row in _cells(rows)]


def _line_colours(rows) -> list[int]:
    """The colour of each flat line's braille cells, top row first (one colour per line)."""
    out = []
    for row in _cells(rows):
        fg = {ink.fg for ch, ink in row if 0x2800 < ord(ch) < 0x2900}
        if fg:
            assert len(fg) == 1
            out.append(fg.pop())
    return out


def _find(rows, text: str) -> list[tuple[int, int]]:
    """(row, column) of each occurrence of text below the title."""
    return [(r, m.start()) for r, t in enumerate(_texts(rows)) if r > 0 for m in re.finditer(re.escape(text), t)]


def _entries(rows) -> list[str]:
    """Every legend entry in the picture: a sample (line, pair of lines, reference) and its text."""
    pattern = re.compile(rf"{re.escape(KEY)}|{BOTH} r\d+|[━┅╌┈] (?:[AB] r\d+|[AB]\b|threshold|rest)")
    return [m.group(0) for t in _texts(rows)[1:] for m in pattern.finditer(t)]


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_k_named_rows_a_side_get_k_plus_one_entries(k):
    rows = render_series(_pair(k, hlines={"threshold": 2 * k - 0.75, "rest": -0.25}), 140, 44, color=True).rows
    entries = _entries(rows)
    assert entries.count(KEY) == 1
    assert sorted(e for e in entries if e.startswith(BOTH)) == sorted(f"{BOTH} r{i}" for i in range(k))
    assert sum(e.startswith(("╌ threshold", "┈ rest")) for e in entries) == 2  # references keep theirs
    assert len(entries) == k + 1 + 2
    assert not any(re.search(r"\b[AB] r\d", t) for t in _texts(rows)[1:])  # no "A r0" / "B r0" left


@pytest.mark.parametrize("k", [2, 4, 6])
def test_each_row_entry_is_in_that_rows_colour(k):
    rows = render_series(_pair(k), 140, 44, color=True).rows
    cells = _cells(rows)
    colours = _line_colours(rows)  # top to bottom: B r(k-1), A r(k-1), ..., B r0, A r0
    assert len(colours) == 2 * k
    row_colour = {i: colours[2 * (k - 1 - i) + 1] for i in range(k)}  # A's line of row i
    assert all(colours[2 * (k - 1 - i)] == row_colour[i] for i in range(k))  # B's shares it
    for i in range(k):
        (r, c), = _find(rows, f"{BOTH} r{i}")
        sample = cells[r][c:c + 2]
        assert "".join(ch for ch, _ in sample) == BOTH  # both styles' samples
        assert {ink.fg for _, ink in sample} == {row_colour[i]}, i  # in the row's colour
    assert len(set(row_colour.values())) == k


def test_key_shows_both_samples_plainly():
    rows = render_series(_pair(3), 140, 44, color=True).rows
    (r, c), = _find(rows, KEY)
    key = _cells(rows)[r][c:c + len(KEY)]
    assert key[0][0] == LINE_SAMPLE["solid"] and key[KEY.index(LINE_SAMPLE["dotted"])][0] == LINE_SAMPLE["dotted"]
    # in no row's colour: the key is about style alone
    assert {ink.fg for _, ink in key} == {None}


@pytest.mark.parametrize("w,h", [(80, 16), (120, 16)])
def test_compact_legend_is_one_text_row_where_the_full_one_was_not(w, h):
    """4 rows a side and a threshold (hebb's ex2) in the CLI's chart height: the full
    legend (9 entries) is stacked at 80 columns; k + 1 + 1 entries fit on one row."""
    s = _pair(4, hlines={"threshold": 7.25})
    rows = render_series(s, w, h, color=True).rows
    legend_rows = {r for r, t in enumerate(_texts(rows)) if r > 0 and re.search(rf"{BOTH} r\d|{re.escape(KEY)}", t)}
    assert len(legend_rows) == 1
    assert len(_entries(rows)) == 6


def test_one_row_a_side_keeps_a_and_b_entries():
    """(Two rows a side, drawn alike, get the key: only one row a side keeps "A"/"B".)"""
    assert _find(render_series(_pair(2, hlines={"threshold": 3.25}), 120, 30, color=True).rows, KEY)
    rows = render_series(_pair(1, hlines={"threshold": 1.25}), 120, 30, color=True).rows
    entries = _entries(rows)
    assert sorted(entries) == sorted(["━ A", "┅ B", "╌ threshold"])
    (ra, ca), = _find(rows, "━ A")
    (rb, cb), = _find(rows, "┅ B")
    cells = _cells(rows)
    assert cells[ra][ca][1].fg != cells[rb][cb][1].fg  # two colours as well as two styles


@pytest.mark.parametrize("k_a,k_b,names_b", [(2, 3, None), (3, 3, ("r0", "r2", "r1")), (2, 2, ("r0", "q"))])
def test_sides_that_are_not_the_same_rows_name_every_line(k_a, k_b, names_b):
    assert _find(render_series(_pair(k_a), 140, 44, color=True).rows, KEY)  # A against itself: the key
    rows = render_series(_pair(k_a, k_b, names_b), 140, 44, color=True).rows
    assert not _find(rows, KEY) and not _find(rows, BOTH)
    assert sum(bool(re.search(r"[━┅] [AB] \S+", t)) for t in _texts(rows)[1:]) == k_a + k_b


@pytest.mark.parametrize("k", [2, 4])
def test_without_colour_every_line_keeps_its_entry(k):
    """Without colour the rows are told by glyphs, A's and B's all different (a dotted glyph
    line would not look dotted): the compact legend would be ambiguous, so none (in colour: one)."""
    assert _find(render_series(_pair(k), 140, 44, color=True).rows, KEY)
    rows = render_series(_pair(k), 140, 44, color=False).rows
    assert not _find(rows, KEY) and not _find(rows, BOTH)
    for side in "AB":
        for i in range(k):
            assert len(re.findall(rf"\S {side} r{i}\b", "\n".join(_texts(rows)[1:]))) == 1


def test_single_lab_rows_named_like_a_comparison_keep_their_legend():
    """A lab's own chart with rows that happen to be called "A x"/"B x" has no line styles:
    every row keeps its entry."""
    x = np.arange(100.0)
    labels = ("A p", "A q", "B p", "B q")
    s = Series(SPEC, np.array([np.full(100, float(i)) for i in range(4)]), x=x, labels=labels)
    assert describe(s, 100, 30).line_key == []
    rows = render_series(s, 120, 30, color=True).rows
    assert not _find(rows, KEY) and not _find(rows, BOTH)
    assert all(len(_find(rows, f"━ {label}")) == 1 for label in labels)


def test_the_figure_says_which_style_is_which_side():
    assert describe(_pair(3), 100, 30).line_key == [("solid", "A"), ("dotted", "B")]
    assert describe(_pair(1), 100, 30).line_key == []
    assert describe(_pair(2, 3), 100, 30).line_key == []
    # a live comparison (B resampled onto A's time axis) gets it too
    b = Series(SPEC, np.ones((2, 9)), x=np.linspace(0, 4, 9), labels=("p", "q"))
    a = Series(SPEC, np.zeros((2, 5)), x=np.arange(5.0), labels=("p", "q"))
    (live,) = display_pair(a, b)
    assert describe(live, 100, 30).line_key == [("solid", "A"), ("dotted", "B")]
