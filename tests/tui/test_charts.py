"""Charts never crash and never draw NaN/inf: every kind gets pathological data
(all-NaN, +-inf, empty, constant, a single point) and a theme switch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.sim.series import Series
from tests.tui.toylab import ToyLab
from hebblab.tui.screens.lab_screen import ChartDeck
from hebblab.chart_render import nice_ticks

NAN, INF = float("nan"), float("inf")


def test_nice_ticks_are_round_and_inside():
    for lo, hi in [(0, 1), (-80, 20), (0.001, 0.0013), (-1e6, 3e6), (5, 5.0000001)]:
        ticks = nice_ticks(lo, hi, 5)
        assert 1 <= len(ticks) <= 6
        assert all(lo - 1e-9 <= t <= hi + 1e-9 for t in ticks)
        if len(ticks) > 1:
            steps = np.diff(ticks)
            assert np.allclose(steps, steps[0])
            mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
            assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))
    assert nice_ticks(NAN, 1, 5) == [] and nice_ticks(1, INF, 5) == [1]


def bad_variants(spec):
    y_bad = np.array([0.0, NAN, INF, -INF, 1.0])
    yield Series(spec, y_bad, x=np.arange(5.0))
    yield Series(spec, np.full(5, NAN), x=np.arange(5.0))
    yield Series(spec, np.array([]), x=np.array([]))
    yield Series(spec, np.full(5, 3.0), x=np.full(5, 2.0))
    yield Series(spec, np.array([1.0]), x=np.array([INF]))
    yield Series(spec, np.array([[1.0, INF], [NAN, -INF]]), x=np.array([0.0, 1.0]),
                 hlines={"h": INF}, overlays={"o": (np.array([0, INF]), np.array([NAN, 1]))},
                 markers={"m": (NAN, 1.0)}, vmin=NAN, vmax=INF, y_range=(0.0, 0.0))


async def test_every_chart_survives_bad_data_and_theme_switch(make_app):
    app = make_app(ToyLab)
    async with app.run_test(size=(160, 60)) as pilot:
        deck = app.screen.query_one(ChartDeck)
        assert len(deck.visible()) == len(ToyLab.series_specs)  # all seven kinds on screen
        for _, _, chart in deck.visible():
            for series in bad_variants(chart.spec):
                if chart.spec.kind != "matrix" and series.y.ndim > 1 and chart.spec.kind not in ("trace",):
                    series.y = series.y.ravel()
                chart.show_series(series)
                await pilot.pause()
                lines = [chart.render_line(y) for y in range(chart.size.height)]
                text = "".join(s.text for s in lines).lower()
                assert "nan" not in text and "inf" not in text, (chart.spec.kind, text[:200])
                assert "cannot draw" not in text, (chart.spec.kind, text)
        before = {id(w): w.palette() for _, _, w in deck.visible() if hasattr(w, "palette")}
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("n")
        after = {id(w): w.palette() for _, _, w in deck.visible() if hasattr(w, "palette")}
        assert before and before != after  # charts take their colours from the theme


async def test_the_lab_and_the_cli_draw_the_same_chart(make_app):
    """One renderer: a live chart's text is what `--plot` prints in colour at that size."""
    import re

    from hebblab.cli.terminal_charts import render

    app = make_app(ToyLab)
    async with app.run_test(size=(200, 80)) as pilot:
        for _ in range(5):
            await pilot.press("n")
        await pilot.pause()
        deck = app.screen.query_one(ChartDeck)
        assert len(deck.visible()) == len(ToyLab.series_specs)
        for _, _, chart in deck.visible():
            assert chart.series is not None and chart.size.height >= 8  # (the CLI draws at least 8 rows)
            live = [chart.render_line(y).text.rstrip() for y in range(chart.size.height)]
            printed = re.sub(r"\x1b\[[0-9;]*m", "", render(chart.series, *chart.size, color=True))
            printed = [line.rstrip() for line in printed.splitlines()]  # (coloured cells keep their blanks)
            while live and not live[-1]:
                live.pop()
            assert live == printed, chart.spec.kind


@pytest.mark.parametrize("theme, ansi_color", [("textual-dark", False), ("ansi-dark", True), ("solarized-light", False)])
async def test_charts_lines_are_what_textuals_own_styling_makes(theme, ansi_color):
    """Chart.render_lines skips Textual's styling pass (a chart has no border, padding,
    tint or opacity): its lines must be Textual's, cell for cell and style for style, whole
    and cropped, in a dark theme, an ANSI one (the terminal's own colours, no colour filter)
    and a light one; a chart given a border goes Textual's way."""
    from textual.geometry import Region
    from textual.widget import Widget

    from hebblab.tui.app import HebblabApp
    from hebblab.tui.compare_mode import open_comparison
    from hebblab.tui.widgets.charts import Chart

    app = HebblabApp("ei", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.theme = theme
        app.ansi_color = ansi_color
        await pilot.pause()
        open_comparison(app, "ei", pair="inhibition")
        await pilot.pause()
        screen = app.lab_screen()
        for _ in range(3):
            screen.action_step_frame()
            await pilot.pause()
        charts = [c for c in screen.query(Chart) if c.display and c.size.area]
        assert len(charts) >= 4

        def lines(chart, crop):
            return [list(strip) for strip in chart.render_lines(crop)]

        def textuals(chart, crop):
            chart._styles_cache.clear()
            return [list(strip) for strip in Widget.render_lines(chart, crop)]

        for chart in charts:
            w, h = chart.size
            for crop in (Region(0, 0, w, h), Region(2, 1, w - 5, h - 2)):
                ours = lines(chart, crop)
                assert ours == textuals(chart, crop), (chart.spec.name, crop)
                assert any(seg.text.strip() for line in ours for seg in line)
        chart = charts[0]
        chart.styles.border = ("round", "red")
        await pilot.pause()
        w, h = chart.size
        ours = lines(chart, Region(0, 0, w, h))
        assert ours == textuals(chart, Region(0, 0, w, h))
        assert "╭" in "".join(seg.text for seg in ours[0])


async def test_a_chart_takes_a_new_background_from_css_applied_again():
    """A chart keeps its surface colour between frames (working it out walks the ancestors'
    styles); CSS applied again (here a class on the screen) must still reach its cells."""
    from textual.color import Color

    from hebblab.tui.app import HebblabApp
    from hebblab.tui.widgets.charts import Chart

    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.lab_screen()
        screen.action_step_frame()
        await pilot.pause()
        chart = next(c for c in screen.query(Chart) if c.display and c.size.area)

        def backgrounds() -> set:
            return {seg.style.bgcolor.triplet for y in range(chart.size.height)
                    for seg in chart.render_line(y) if seg.style and seg.style.bgcolor and seg.text.strip()}

        red = Color.parse("#ff0000").rich_color.triplet
        assert red not in backgrounds()
        app.stylesheet.add_source("Screen.-test-red .chart { background: #ff0000; }", read_from=("test", ""))
        app.stylesheet.reparse()
        screen.add_class("-test-red")
        await pilot.pause()
        screen.action_step_frame()
        await pilot.pause()
        assert red in backgrounds()
