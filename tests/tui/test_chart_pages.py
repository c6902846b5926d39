"""`c` says when every chart is shown, the status line shows the chart page, and `m`
fills the screen with a chart (m or esc restores)."""

from __future__ import annotations

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.charts import Chart
from hebblab.tui.widgets.status import StatusLine


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_c_says_all_charts_shown_when_they_fit():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.2)
        deck = app.lab_screen().deck
        assert deck.pages == 1 and "charts " not in status(app)
        await pilot.press("c")
        await pilot.pause(0.1)
        assert "all charts shown" in messages(app)


async def test_c_pages_with_an_indicator_when_not_all_fit():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        deck = app.lab_screen().deck
        n = deck.pages
        assert n > 1
        assert f"charts 1/{n}" in status(app)
        first = [name for _, name, _ in deck.visible()]
        await pilot.press("c")
        assert f"charts 2/{n}" in status(app)
        assert [name for _, name, _ in deck.visible()] != first
        assert "all charts shown" not in messages(app)
        for _ in range(n - 1):
            await pilot.press("c")
        assert f"charts 1/{n}" in status(app)  # round again


async def test_m_maximizes_the_first_chart_and_m_or_escape_restores():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        screen = app.lab_screen()
        chart = screen.deck.visible()[0][2]
        small = chart.size
        await pilot.press("m")
        await pilot.pause(0.2)
        assert screen.maximized is chart
        assert chart.size.width > small.width and chart.size.height > small.height
        assert chart.size.width == 120
        assert screen.query_one(StatusLine).region.height == 1  # the status line stays
        before = screen.runners[0].lab.steps_done
        await pilot.press("n")  # keys still work while maximized
        assert screen.runners[0].lab.steps_done > before
        await pilot.press("m")
        await pilot.pause(0.1)
        assert screen.maximized is None and chart.size == small
        await pilot.press("m")
        await pilot.pause(0.1)
        assert isinstance(screen.maximized, Chart)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert screen.maximized is None
