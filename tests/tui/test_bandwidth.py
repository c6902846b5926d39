"""Bandwidth: only changed cells are sent, what is sent still draws the exact screen, and
the redraw rate is paced to a byte budget."""

from __future__ import annotations

import io

import pyte
import pytest
from rich.console import Console
from textual._compositor import CompositorUpdate

from hebblab.bandwidth import Meter, in_ssh_session
from hebblab.cli.commands.tui import default_fps
from hebblab.tui.app import HebblabApp

W, H = 120, 40


def capture(app) -> list[CompositorUpdate]:
    updates: list[CompositorUpdate] = []
    original = app._display

    def display(screen, renderable):
        if isinstance(renderable, CompositorUpdate):
            updates.append(renderable)
        return original(screen, renderable)

    app._display = display
    return updates


def terminal_bytes(update: CompositorUpdate) -> str:
    console = Console(file=io.StringIO(), color_system="256", force_terminal=True, width=W, height=H)
    return update.render_segments(console)


async def test_partial_updates_draw_the_same_screen_as_a_full_repaint():
    """Every update the app sends, replayed through a terminal emulator, gives the screen
    Textual holds: cropped spans land on the right cells."""
    app = HebblabApp("chapter", autoplay=False)
    updates = capture(app)
    screen = pyte.Screen(W, H)
    stream = pyte.Stream(screen)
    async with app.run_test(size=(W, H)) as pilot:
        await pilot.pause(0.3)
        for _ in range(40):
            await pilot.press("n")
        await pilot.pause(0.3)
        for update in updates:
            stream.feed(terminal_bytes(update))
        expected = ["".join(s.text for s in strip).rstrip() for strip in app.screen._compositor.render_strips()]
    shown = [line.rstrip() for line in screen.display]
    assert shown == expected


async def test_a_frame_sends_much_less_than_the_screen():
    app = HebblabApp("chapter", autoplay=False)
    updates = capture(app)
    async with app.run_test(size=(W, H)) as pilot:
        await pilot.pause(0.3)
        for _ in range(5):
            await pilot.press("n")
        await pilot.pause(0.2)
        full = len(terminal_bytes(app.screen._compositor.render_update(full=True)).encode())
        updates.clear()
        frames = 20
        for _ in range(frames):
            await pilot.press("n")
            await pilot.pause(0.02)
        await pilot.pause(0.2)
        per_frame = sum(len(terminal_bytes(u).encode()) for u in updates) / frames
    # Measured: ~3.6 KB a frame against ~20 KB for the whole screen (10 KB a frame before).
    assert per_frame < 0.35 * full, (per_frame, full)


def test_meter_rate_and_ratio():
    now = [0.0]
    meter = Meter(budget_kib_s=1.0, clock=lambda: now[0])
    write = meter.wrap(lambda data: None)
    write("a" * 1024)
    write("é")  # two bytes in UTF-8
    now[0] = 2.0
    assert meter.rate() == pytest.approx((1024 + 2) / 2.0)
    write("b" * 4096)
    now[0] = 3.0
    assert meter.ratio() == pytest.approx(4.0)
    assert Meter(budget_kib_s=None).ratio() == 0.0


def test_default_fps_lowers_for_ssh_and_low_bandwidth():
    assert default_fps(None, low_bandwidth=False, ssh=False) == 20
    assert default_fps(None, low_bandwidth=False, ssh=True) == 10
    assert default_fps(None, low_bandwidth=True, ssh=False) == 5
    assert default_fps(15.0, low_bandwidth=False, ssh=True) == 15  # the user's preference wins
    assert in_ssh_session({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"})
    assert in_ssh_session({"SSH_TTY": "/dev/pts/1"})
    assert not in_ssh_session({"TERM": "xterm"})


async def test_lab_screen_redraws_less_often_over_budget(monkeypatch):
    app = HebblabApp("lif", autoplay=False, sync=False)
    async with app.run_test(size=(W, H)) as pilot:
        screen = app.lab_screen()
        monkeypatch.setattr(app, "send_ratio", lambda: 3.0)
        before = screen.sim.publish_period
        screen._ui_clock = (0.0, 0.0)  # a second has passed since the last check
        monkeypatch.setattr("time.thread_time", lambda: 0.0)  # and the screen was idle
        screen._pace_views()
        assert screen.sim.publish_period == pytest.approx(min(0.5, before * 3.0))
        monkeypatch.setattr(app, "send_ratio", lambda: 0.1)
        raised = screen.sim.publish_period
        screen._ui_clock = (0.0, 0.0)
        screen._pace_views()
        assert screen.sim.publish_period == pytest.approx(max(screen.sim.period, raised / 1.5))
        await pilot.pause(0.05)
