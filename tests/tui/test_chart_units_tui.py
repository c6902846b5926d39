"""At the 80x24 minimum every chart on screen still shows its y unit (docs/vocabulary.md,
"Chart axes"): beside the title, or in it when the pane is narrow."""

from __future__ import annotations

import pytest

from hebblab.chart_render import unit_of
from hebblab.sim.labs import all_labs
from hebblab.tui.app import HebblabApp
from hebblab.tui.screens.lab_screen import ChartDeck


@pytest.mark.parametrize("lab", list(all_labs()))
async def test_every_chart_on_an_80x24_screen_shows_its_y_unit(lab):
    app = HebblabApp(lab, seed=1, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(5):
            await pilot.press("n")
        await pilot.pause()
        charts = [w for _, _, w in app.screen.query_one(ChartDeck).visible()]
        assert charts
        for chart in charts:
            unit = unit_of(chart.spec.ylabel)
            if chart.spec.kind == "matrix" or unit == "1":
                continue
            text = "\n".join(chart.render_line(r).text for r in range(chart.size.height))
            assert unit in text, (lab, chart.spec.name, chart.size, text.splitlines()[:1])
