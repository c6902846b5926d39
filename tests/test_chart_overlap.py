"""Series never hide each other and legends sit beside the data, not on it
(hebblab/chart_render.py: cells shared in turn between sources of equal z; the legend in
the freest corner). Checked on the charts the issue named: lif's f-I theory under its
Euler curve, ei's E rate under I, bcm's K*y0 line under the selected response."""

from __future__ import annotations

import numpy as np

from hebblab.chart_render import render_series
from hebblab.sim.labs import get_lab
from hebblab.sim.series import Series, SeriesSpec

BRAILLE = range(0x2801, 0x2900)


def grid(s: Series, width: int = 80, height: int = 20, color: bool = True):
    """The picture as rows of (character, palette index or None) per cell."""
    out = []
    for row in render_series(s, width, height, color=color, notes=False).rows:
        cells = []
        for text, ink in row:
            cells += [(ch, ink.fg if isinstance(ink.fg, int) else None) for ch in text]
        out.append(cells)
    return out


def plot_cells(g):
    """(row, col, char, colour) inside the frame, without the legend's text rows' samples."""
    out = []
    for r, row in enumerate(g[1:-2], start=1):
        text = "".join(ch for ch, _ in row)
        frame = [i for i in (text.find("┤"), text.find("│")) if i >= 0]
        left, right = min(frame, default=-1), text.rfind("│")
        if left < 0 or right <= left:
            continue
        out += [(r, c, *row[c]) for c in range(left + 1, right)]
    return out


def colour_cells(g, colour: int) -> int:
    return sum(1 for _, _, ch, fg in plot_cells(g) if fg == colour and ord(ch) in BRAILLE)


def test_lif_theory_line_stays_visible_on_its_euler_curve():
    lab = get_lab("lif")(seed=1)
    lab.step(2000)
    s = lab.series()["fI"]
    names = list(s.overlays)
    assert names == ["theory"]
    g = grid(s)
    theory, euler = colour_cells(g, 1), colour_cells(g, 0)
    # The curves coincide over most of their length: both must show along it.
    assert theory >= 20 and euler >= 20, (theory, euler)
    assert 0.5 <= theory / euler <= 2.0, (theory, euler)


def test_equal_lines_share_their_cells_in_turn():
    x = np.linspace(0.0, 1.0, 200)
    spec = SeriesSpec("c", "curve", "c", "x (1)", "y (1)")
    s = Series(spec, x ** 2, x=x, overlays={"theory": (x, x ** 2)}, labels=("measured",))
    g = grid(s)
    a, b = colour_cells(g, 0), colour_cells(g, 1)
    assert a > 20 and b > 20 and abs(a - b) <= 0.25 * (a + b), (a, b)
    # Without colour the theory's glyph shows between the measurement's dots.
    plain = grid(s, color=False)
    glyphs = sum(1 for _, _, ch, _ in plot_cells(plain) if ch == "•")
    dots = sum(1 for _, _, ch, _ in plot_cells(plain) if ord(ch) in BRAILLE)
    assert glyphs > 20 and dots > 20, (glyphs, dots)


def test_ei_excitatory_rate_is_not_hidden_under_the_inhibitory_one():
    lab = get_lab("ei")(seed=1)
    lab.step(int(round(300.0 / lab.dt_ms)))
    s = lab.series()["rates"]
    assert list(s.labels) == ["E", "I"]
    g = grid(s)
    e, i = colour_cells(g, 0), colour_cells(g, 1)
    assert e >= 0.3 * (e + i) and i >= 0.3 * (e + i), (e, i)


def test_a_reference_level_on_the_data_stays_visible():
    """bcm: the selected response converges onto K*y0; the dashed level must still show."""
    t = np.linspace(0.0, 2000.0, 400)
    y = np.vstack([2.0 * (1 - np.exp(-t / 200.0)), 0.5 * np.exp(-t / 300.0)])
    spec = SeriesSpec("responses", "trace", "Response to each pattern", "time (ms)", "y (a.u.)")
    s = Series(spec, y, x=t, labels=("pattern 0", "pattern 1"), hlines={"K*y0": 2.0})
    g = grid(s)
    level = colour_cells(g, 2)  # the hline's colour: after the two rows
    assert level >= 15, level
    # and on the row where the response sits on the level, both colours alternate
    rows = {}
    for r, c, ch, fg in plot_cells(g):
        if ord(ch) in BRAILLE and fg in (0, 2):
            rows.setdefault(r, set()).add(fg)
    assert any(colours == {0, 2} for colours in rows.values())


def _legend_and_data(y_rows, width=60, height=16, **kw):
    x = np.linspace(0.0, 10.0, 300)
    spec = SeriesSpec("t", "trace", "T", "x (1)", "y (1)")
    labelled = grid(Series(spec, y_rows(x), x=x, labels=("first line", "second line"), **kw), width, height)
    bare = grid(Series(spec, y_rows(x), x=x, **kw), width, height)  # the same data, no legend
    data = {(r, c) for r, c, ch, _ in plot_cells(bare) if ch != " "}
    legend = []
    for r, row in enumerate(labelled):
        text = "".join(ch for ch, _ in row)
        for name in ("first line", "second line"):
            at = text.find(name)
            if at >= 0:
                legend += [(r, c) for c in range(at - 2, at + len(name))]
    assert len(legend) == len("first line") + len("second line") + 4, "legend not found"
    return legend, data


def test_the_legend_moves_off_the_data_to_a_free_corner():
    # Rising lines: the top-left corner is free.
    legend, data = _legend_and_data(lambda x: np.vstack([x, x + 0.3]))
    assert not set(legend) & data
    assert min(c for _, c in legend) < 10  # top left
    # Falling lines fill the top left: the legend goes to a free corner instead.
    legend, data = _legend_and_data(lambda x: np.vstack([10 - x, 10.3 - x]))
    assert not set(legend) & data, "legend on data although a corner is free"
    # Lines along the top: the legend goes below them.
    legend, data = _legend_and_data(lambda x: np.vstack([np.full_like(x, 9.5), np.full_like(x, 9.9)]),
                                    y_range=(0.0, 10.0))
    assert not set(legend) & data and min(r for r, _ in legend) > 5



def test_reference_lines_of_either_pattern_stay_visible_under_a_flat_trace():
    """A dotted line is on every other column: the turns must not always give those to the data."""
    t = np.linspace(0.0, 100.0, 300)
    spec = SeriesSpec("v", "trace", "V", "time (ms)", "V (mV)")
    for level in np.linspace(-70.0, -50.0, 9):  # the lines land on different rows
        for colour, hlines in ((1, {"threshold": level, "rest": -75.0}), (2, {"threshold": -45.0, "rest": level})):
            s = Series(spec, np.full_like(t, level), x=t, labels=("V",), hlines=hlines, y_range=(-80.0, -40.0))
            g = grid(s)
            # dashed (colour 1) is on 2 of 3 columns, dotted (colour 2) on every other one;
            # sharing with the trace, each keeps about half of those
            on = {1: 2 / 3, 2: 1 / 2}[colour] * 70
            assert colour_cells(g, colour) >= 0.3 * on, (level, colour, colour_cells(g, colour))
            assert colour_cells(g, 0) >= 0.3 * 70
