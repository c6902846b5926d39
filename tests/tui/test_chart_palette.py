"""Series colours come from the theme and stay apart: in every built-in theme the first four
series (oja's cloud, PC1, Oja's w and Hebb's w) get four clearly different colours."""

from __future__ import annotations

from textual.color import Color
from textual.theme import BUILTIN_THEMES

from hebblab.tui.screens.lab_screen import ChartDeck
from hebblab.tui.widgets.charts import _CLOSE, _distance


async def test_the_first_four_series_colours_differ_in_every_theme(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        chart = next(w for _, _, w in app.screen.query_one(ChartDeck).visible())
        too_close = []
        for name in BUILTIN_THEMES:
            app.theme = name
            await pilot.pause()
            colours = [Color.parse(c) for c in chart.palette()[:4]]
            assert len(colours) == 4, name
            pairs = [(a.hex, b.hex) for i, a in enumerate(colours) for b in colours[i + 1:] if _distance(a, b) < _CLOSE]
            if pairs:
                too_close.append((name, pairs))
        assert not too_close, too_close
