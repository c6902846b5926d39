"""ctrl+r records the screen as an asciicast v2 file, the format `hebblab record` writes;
replayed through a terminal emulator its last frame is the lab's screen."""

from __future__ import annotations

import json

import pyte

from hebblab.tui.app import HebblabApp


def read_cast(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    return header, events


def replay(header, events) -> list[str]:
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for _, _, text in events:
        stream.feed(text)
    return screen.display


async def test_ctrl_r_records_a_valid_asciicast(tmp_path, monkeypatch):
    # Headless, Textual writes nothing to its driver: let it, so the recorder sees the output.
    monkeypatch.setattr(HebblabApp, "is_headless", property(lambda self: False))
    app = HebblabApp("lif", autoplay=False, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("ctrl+r")
        assert app.recorder is not None
        for _ in range(10):
            await pilot.press("n")
            await pilot.pause(0.02)
        await pilot.pause(0.2)
        await pilot.press("ctrl+r")
        assert app.recorder is None
        titles = [w.spec.title for w in app.screen.query("Chart") if w.display]
    (cast,) = tmp_path.glob("hebblab-lif-*.cast")
    header, events = read_cast(cast)
    assert header["version"] == 2 and (header["width"], header["height"]) == (100, 30)
    assert len(events) > 2
    times = [e[0] for e in events]
    assert times == sorted(times) and times[0] == 0.0
    assert all(kind == "o" and isinstance(text, str) for _, kind, text in events)
    screen = "\n".join(replay(header, events))
    assert titles and all(title in screen for title in titles)
    assert "t=20.0 ms" in screen  # the last frame: ten frames of 2 ms


async def test_recording_in_browser_is_delivered(tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr(HebblabApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(HebblabApp, "deliver_text", lambda self, f, **k: sent.append((f.read(), k)))
    app = HebblabApp("lif", autoplay=False, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+r", "n", "ctrl+r")
    (text, kwargs), = sent
    assert kwargs["save_filename"].endswith(".cast") and json.loads(text.splitlines()[0])["version"] == 2
    assert list(tmp_path.iterdir()) == []  # nothing left on the server


async def test_recording_stops_by_itself_at_its_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(HebblabApp, "is_headless", property(lambda self: False))
    monkeypatch.setattr("hebblab.tui.recorder.MAX_SECONDS", 0.0)
    app = HebblabApp("lif", autoplay=False, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+r", "n", "n")
        await pilot.pause(0.2)
        assert app.recorder is None
    (cast,) = tmp_path.glob("*.cast")  # saved once, not restarted
    header, events = read_cast(cast)
    assert header["version"] == 2 and events
