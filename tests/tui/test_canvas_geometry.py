"""Chart geometry: one data -> screen mapping for data, ticks and frame; everything outside
the axis ranges is clipped; successive samples are joined as braille lines (solid vertical
runs, unbroken ramps) while scatter/raster stay dots."""

from __future__ import annotations

import numpy as np

from hebblab.sim.series import Series
from tests.tui.toylab import ToyLab
from hebblab.tui.screens.lab_screen import ChartDeck
from hebblab.chart_render import PlotMap, line_dots

BRAILLE = range(0x2801, 0x2900)


def test_line_dots_vertical_run_is_solid_and_ramp_unbroken():
    ix, iy = line_dots(np.array([5.5, 5.5]), np.array([0.0, 30.0]), 20, 40)
    assert set(ix.tolist()) == {5} and set(iy.tolist()) == set(range(31))
    ix, iy = line_dots(np.array([0.0, 40.0]), np.array([0.0, 10.0]), 40, 40)
    assert set(ix.tolist()) == set(range(40))  # every sub-column of the ramp has a dot
    order = np.argsort(ix, kind="stable")
    assert np.all(np.abs(np.diff(iy[order])) <= 1)  # and no vertical gap between them


def test_line_dots_of_a_polyline_are_eight_connected():
    rng = np.random.default_rng(3)
    px = np.cumsum(rng.uniform(0, 3, 60))
    py = rng.uniform(0, 39, 60)
    ix, iy = line_dots(px, py, 200, 40)
    assert np.all(np.abs(np.diff(ix)) <= 1) and np.all(np.abs(np.diff(iy)) <= 1)


def test_line_dots_are_clipped_to_the_box():
    # Leaves through the right edge and comes back from far above: only the inside part drawn.
    ix, iy = line_dots(np.array([0.0, 100.0, 10.0]), np.array([5.0, 5.0, -1e9]), 40, 20)
    assert ix.min() >= 0 and ix.max() <= 39 and iy.min() >= 0 and iy.max() <= 19
    assert set(ix[iy == 5].tolist()) >= set(range(40))  # the horizontal part up to the edge
    ix, iy = line_dots(np.array([50.0, 60.0]), np.array([1.0, 2.0]), 40, 20)
    assert len(ix) == 0  # wholly outside: nothing


def test_ticks_and_data_share_one_mapping():
    m = PlotMap(0.0, 100.0, -80.0, 20.0, 50, 12)
    v = np.array([0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    assert np.array_equal(m.col(v), m.sub_x(v) // 2)
    assert m.col(v)[0] == 0 and m.col(v)[-1] == 49  # the range's ends are the plot's edges
    y = np.array([-80.0, -50.0, -25.0, 0.0, 20.0])
    assert np.array_equal(m.row(y), m.sub_y(y) // 4)
    assert m.row(y)[0] == 11 and m.row(y)[-1] == 0
    inside = m.inside(np.array([-1.0, 0.0, 100.0, 101.0]), np.zeros(4))
    assert inside.tolist() == [False, True, True, False]


async def test_trace_beyond_its_x_range_stays_inside_the_frame(make_app):
    app = make_app(ToyLab)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        deck = app.screen.query_one(ChartDeck)
        chart = next(w for _, name, w in deck.visible() if name == "v")
        x = np.linspace(0.0, 200.0, 2001)
        # A ramp over [0, 100] then a high plateau past the axis range: the plateau is clipped.
        y = np.where(x <= 100, x / 100, 5.0)
        chart.show_series(Series(chart.spec, y, x=x, x_range=(0.0, 100.0), y_range=(0.0, 1.0)))
        await pilot.pause()
        lines = [chart.render_line(r) for r in range(chart.size.height)]
        assert all(s.cell_length == chart.size.width for s in lines)
        text = [s.text for s in lines]
        axis_row = next(i for i, t in enumerate(text) if "└" in t)
        left, right = text[axis_row].index("└"), text[axis_row].index("┘")
        plot = text[1:axis_row]
        for row in plot:
            assert row[left] in "│┤" and row[right] == "│", row  # the frame is intact
            assert not any(ord(ch) in BRAILLE for ch in row[:left] + row[right:]), row
        # The ramp reaches the top-right corner cell and is unbroken: a dot in every column.
        columns = [c for c in range(left + 1, right) if any(ord(r[c]) in BRAILLE for r in plot)]
        assert columns == list(range(left + 1, right))
        assert ord(plot[0][right - 1]) in BRAILLE
        ticks = [c for c, ch in enumerate(text[axis_row]) if ch == "┬"]
        assert ticks[0] == left + 1 and ticks[-1] == right - 1  # 0 and 100 at the plot's edges


async def test_scatter_and_raster_stay_dots(make_app):
    app = make_app(ToyLab)
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.pause()
        deck = app.screen.query_one(ChartDeck)
        chart = next(w for _, name, w in deck.visible() if name == "pts")
        chart.show_series(Series(chart.spec, np.array([0.0, 1.0]), x=np.array([0.0, 1.0])))
        await pilot.pause()
        text = "".join(chart.render_line(r).text for r in range(chart.size.height))
        dots = [ch for ch in text if ord(ch) in BRAILLE]
        assert len(dots) == 2 and all(bin(ord(ch) - 0x2800).count("1") == 1 for ch in dots)


async def test_reference_lines_differ_in_pattern_and_colour_and_are_named():
    from hebblab.tui.app import HebblabApp

    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(20):
            await pilot.press("n")
        await pilot.pause()
        deck = app.screen.query_one(ChartDeck)
        chart = next(w for _, name, w in deck.visible() if name == "membrane")
        strips = [chart.render_line(r) for r in range(chart.size.height)]
        text = "\n".join(s.text for s in strips)
        assert "╌ threshold" in text and "┈ rest" in text  # the legend names both lines

        def sample_colour(sample: str):
            for strip in strips:
                for seg in strip:
                    if seg.text == sample:
                        return seg.style.color
            raise AssertionError(sample)

        assert sample_colour("╌") != sample_colour("┈")  # and colours them apart
        assert sample_colour("━") not in (sample_colour("╌"), sample_colour("┈"))
        plot = [s.text for s in strips[1:-2]]
        # The threshold row is dashed (two cells on, one off), the rest row dotted (every other cell).
        dashed = [row for row in plot if "⠉⠉ ⠉⠉ " in row or "⠒⠒ ⠒⠒ " in row or "⠤⠤ ⠤⠤ " in row
                  or "⣀⣀ ⣀⣀ " in row]
        dotted = [row for row in plot if any(p * 3 in row for p in ("⠁ ", "⠂ ", "⠄ ", "⡀ "))]
        assert dashed and dotted


def test_same_data_detects_equal_and_changed_series():
    from hebblab.sim.series import SeriesSpec
    from hebblab.chart_figures import same_data

    spec = SeriesSpec("v", "curve", "Curve")
    x = np.linspace(0, 1, 50)

    def make(**kw):
        args = dict(y=x ** 2, x=x.copy(), overlays={"theory": (x.copy(), x ** 2)}, markers={"now": (0.5, np.nan)})
        args.update(kw)
        return Series(spec, version=len(kw), **args)

    assert same_data(make(), make())  # a new version with equal data (NaN included): no redraw
    assert not same_data(make(), make(y=x ** 2 + 1e-12))
    assert not same_data(make(), make(markers={"now": (0.6, np.nan)}))
    assert not same_data(make(), make(x_range=(0.0, 2.0)))
    assert not same_data(None, make())
