"""Status line and readouts follow edits at once: a modified preset is marked, derived
readouts change while paused, and each lab's clock is its own after a restart."""

from __future__ import annotations

import math

import pytest

from hebblab.tui.app import HebblabApp
from hebblab.tui.widgets.param_panel import ParamList
from hebblab.tui.widgets.status import ReadoutsLine, StatusLine


def status(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


def readouts(app) -> str:
    return str(app.screen.query_one(ReadoutsLine).render())


async def type_value(pilot, app, name: str, text: str, runner=None) -> None:
    app.screen.query_one(ParamList).select(name, runner)
    await pilot.press(*text, "enter")
    await pilot.pause(0.2)


@pytest.mark.parametrize("sync", [True, False])
async def test_closed_form_rate_follows_an_edit_while_paused(sync):
    # lif, chapter preset: R I = 18 mV, threshold 16 mV above rest, reset 10 mV below it,
    # no refractory time: the interval is tau_m ln((18 + 10) / (18 - 16)) = tau_m ln 14.
    app = HebblabApp("lif", autoplay=False, sync=sync)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")  # paused, a few frames in
        await pilot.pause(0.2)
        assert f"theory_rate_hz: {1000 / (20 * math.log(14)):.4g} Hz" in readouts(app)
        await type_value(pilot, app, "tau_m_ms", "40")
        assert not app.lab_screen().running
        assert f"theory_rate_hz: {1000 / (40 * math.log(14)):.4g} Hz" in readouts(app)  # 9.473 Hz


async def test_status_marks_a_modified_preset_and_clears_the_mark():
    app = HebblabApp("lif", preset="ex1-tau40", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "lif:ex1-tau40" in status(app) and "lif:ex1-tau40*" not in status(app)
        await type_value(pilot, app, "tau_m_ms", "30")
        assert "lif:ex1-tau40*" in status(app)
        await type_value(pilot, app, "tau_m_ms", "40")  # the preset's own value again
        assert "lif:ex1-tau40*" not in status(app) and "lif:ex1-tau40" in status(app)
        await type_value(pilot, app, "t_ref_ms", "2")  # waits for reset: still a change
        assert "lif:ex1-tau40*" in status(app)
        app.lab_screen().load_preset(app.lab_screen().runners[0], "ex1-tau40")
        await pilot.pause(0.2)
        assert "lif:ex1-tau40*" not in status(app) and "lif:ex1-tau40" in status(app)


async def test_started_with_overrides_is_marked_modified():
    app = HebblabApp("lif", preset="chapter", overrides={"I_ext_nA": 2.0}, autoplay=False)
    async with app.run_test(size=(120, 40)):
        assert "lif:chapter*" in status(app)


async def test_chapter_g_restarts_only_the_network_and_the_status_shows_each_clock():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        lif, hebb = app.lab_screen().runners
        await pilot.press("n", "n", "n", "n")
        t = lif.lab.t_ms
        assert t > 0 and hebb.lab.t_ms == pytest.approx(t)
        assert f"t={t:.1f} ms" in status(app)
        await pilot.press("g")
        assert hebb.lab.t_ms == 0 and lif.lab.t_ms == pytest.approx(t)
        line = status(app)
        assert f"lif t={t:.1f} ms" in line and "hebb t=0.0 ms" in line
        await pilot.press("r")  # both restart: one clock again
        assert "t=0.0 ms" in status(app) and "hebb t=" not in status(app)


def test_the_status_clock_picks_its_unit_from_the_time():
    # As the charts' time axes do: ms, then s from 10 s, then min past 3 min (an hour-long
    # run read 3600000.0 ms before).
    from hebblab.tui.widgets.status import _fmt_ms

    assert _fmt_ms(60.0) == "60.0 ms"
    assert _fmt_ms(12_500.0) == "12.50 s"
    assert _fmt_ms(3_600_000.0) == "60.00 min"
