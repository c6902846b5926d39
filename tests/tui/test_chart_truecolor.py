"""Charts convert their colours once per style (tui/widgets/charts.py), not per line through
the app's ANSIToTruecolor filter: what reaches the screen must be exactly what the filter
would have made, in every kind of theme."""

from __future__ import annotations

import pytest
from textual.filter import ANSIToTruecolor

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.charts import Chart


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark", "ansi-light", "monokai"])
async def test_chart_lines_are_already_what_the_filter_makes(theme):
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.press("n", "n")
        await pilot.pause()
        filters = [f for f in app.get_line_filters() if isinstance(f, ANSIToTruecolor)]
        charts = [c for c in app.screen.query(Chart) if c.display and c.size.area]
        if theme.startswith("ansi"):  # the terminal's own colours: the app converts nothing
            assert not filters and all(c.get_line_filters() == app.get_line_filters() for c in charts)
            return
        assert filters, "the app converts ANSI colours (the case the charts take over)"
        checked = 0
        for chart in charts:
            assert not any(isinstance(f, ANSIToTruecolor) for f in chart.get_line_filters())
            background = chart.background_colors[1]
            for y in range(chart.size.height):
                strip = chart.render_line(y)
                converted = strip.apply_filter(filters[0], background)
                assert list(converted) == list(strip), (theme, chart.spec.name, y)
                checked += 1
        assert checked > 20


async def test_native_ansi_colours_leave_the_filters_alone():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.ansi_color = True  # the filter is disabled: nothing to take over
        await pilot.press("n")
        await pilot.pause()
        chart = next(c for c in app.screen.query(Chart) if c.display)
        assert chart.get_line_filters() == app.get_line_filters()
