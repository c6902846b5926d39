"""`hebblab tui pairing` opens on curves, not on an empty "dw vs pairing frequency" chart."""

from __future__ import annotations

from hebblab.tui.app import HebblabApp
from hebblab.tui.screens.lab_screen import ChartDeck

BRAILLE = range(0x2801, 0x2900)


async def test_pairing_opens_with_its_curves_drawn():
    app = HebblabApp("pairing", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        charts = {name: w for _, name, w in app.screen.query_one(ChartDeck).visible()}
        assert "frequency" in charts
        chart = charts["frequency"]
        text = "".join(chart.render_line(r).text for r in range(chart.size.height))
        assert sum(ord(ch) in BRAILLE for ch in text) > 20, text
        assert "theory pre-post" in text and "dw (a.u.)" in text
