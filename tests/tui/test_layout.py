"""The chapter view's two charts fit, with their axes and legends, at every size from
80x24 to 120x40 (and larger): the membrane chart's frame closes on both sides and its x
labels show, the heat-map shows its values, its colour legend and its axis label."""

from __future__ import annotations

import pytest

from hebblab.tui.app import HebblabApp
from hebblab.tui.screens.lab_screen import ChartDeck

SIZES = [(80, 24), (88, 27), (96, 30), (100, 24), (104, 33), (112, 36), (120, 24), (120, 40), (80, 40),
         (160, 50)]


def chart_text(widget) -> list[str]:
    lines = [widget.render_line(y) for y in range(widget.size.height)]
    assert all(s.cell_length == widget.size.width for s in lines), widget  # nothing spills over
    return [s.text for s in lines]


async def test_chapter_charts_fit_at_every_size():
    app = HebblabApp("chapter", seed=1, autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(20):
            await pilot.press("n")
        for w, h in SIZES:
            await pilot.resize_terminal(w, h)
            await pilot.pause()
            await pilot.pause()
            deck = app.screen.query_one(ChartDeck)
            shown = {name: widget for _, name, widget in deck.visible()}
            assert set(shown) == {"membrane", "weights"}, (w, h)  # both on screen, no paging
            membrane, weights = shown["membrane"], shown["weights"]
            for widget in shown.values():
                r = widget.region
                assert r.x >= 0 and r.right <= w and r.y >= 0 and r.bottom <= h, (w, h, widget)
            assert not membrane.region.overlaps(weights.region), (w, h)
            assert membrane.size.width >= 48 and membrane.size.height >= 9, (w, h, membrane.size)

            trace = chart_text(membrane)
            axis = next(line for line in trace if "└" in line)
            assert axis.rstrip().endswith("┘"), (w, h, axis)  # the frame closes on the right
            assert sum("┤" in line for line in trace) >= 2, (w, h)  # y ticks
            assert sum(ch.isdigit() for ch in trace[-1]) >= 2, (w, h)  # x tick labels

            heat_lines = chart_text(weights)
            heat = "\n".join(heat_lines)
            assert "Weights w[pre, post]" in heat and "post cell" in heat, (w, h, heat)
            # the columns are named under the map: "post cell 0 ... post cell 1", or "0 ... 1"
            named = "post cell 0" in heat and "post cell 1" in heat
            assert named or any(line.split() == ["0", "1"] for line in heat_lines), (w, h, heat)
            assert heat.count(".") >= 4 + 2, (w, h, heat)  # four values + both legend ends
