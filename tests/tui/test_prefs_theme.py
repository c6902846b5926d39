"""The app applies the saved theme at start and saves the user's new choice."""

from __future__ import annotations

from hebblab import prefs
from hebblab.prefs import Prefs
from hebblab.tui.app import HebblabApp


async def test_theme_from_prefs_applied_and_change_saved(tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    app = HebblabApp("lif", autoplay=False, prefs=Prefs(theme="nord", fps=10.0), prefs_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.1)
        assert app.theme == "nord"
        assert not path.exists()  # nothing changed yet
        app.theme = "textual-light"
        await pilot.pause(0.2)
    assert prefs.load(path) == (Prefs(theme="textual-light", fps=10.0), None)


async def test_unknown_theme_warns_and_keeps_default(tmp_path):
    path = tmp_path / "config.toml"
    app = HebblabApp("lif", autoplay=False, prefs=Prefs(theme="no-such-theme"), prefs_path=path)
    default = HebblabApp("lif").theme
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert app.theme == default
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_without_a_prefs_path_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "textual-light"
        await pilot.pause(0.2)
    assert list(tmp_path.iterdir()) == []
