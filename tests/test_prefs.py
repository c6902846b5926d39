"""The preferences file (hebblab/prefs.py): found by platformdirs/XDG, read at start,
written on a theme change, and never fatal however broken or hostile it is."""

from __future__ import annotations

import os
import sys

import pytest

from hebblab import prefs
from hebblab.prefs import Prefs


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    xdg = tmp_path / "xdg"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    return xdg


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG rule is Linux's")
def test_path_follows_xdg_config_home(config_home):
    assert prefs.config_path() == config_home / "hebblab" / "config.toml"


def test_missing_file_is_defaults_without_warning(config_home):
    assert prefs.load() == (Prefs(), None)


def test_round_trip(config_home):
    prefs.save(Prefs(theme="textual-light", fps=12.0))
    text = prefs.config_path().read_text()
    assert 'theme = "textual-light"' in text and "fps = 12" in text
    assert prefs.load() == (Prefs(theme="textual-light", fps=12.0), None)


HOSTILE = {
    "not toml": b"theme = = nord\n",
    "binary": bytes(range(256)),
    "huge": b"# " + b"x" * (prefs.MAX_BYTES + 10),
    "wrong types": b"theme = 3\nfps = \"fast\"\n",
    "fps out of range": b"fps = 1e9\n",
    "fps nan": b"fps = nan\n",
    "fps bool": b"fps = true\n",
    "theme control chars": b'theme = "a\\u001b[2Jb"\n',
    "table": b"[theme]\nname = 1\n",
    "unknown key": b"colour = 1\n",
    "deep nesting": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_one_line_warning_and_defaults(config_home, name):
    path = prefs.config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(HOSTILE[name])
    loaded, warning = prefs.load()
    assert loaded == Prefs()
    assert warning is not None and "\n" not in warning
    assert warning.startswith(f"hebblab: warning: {path}: ") and warning.endswith("using the defaults")


def test_good_values_kept_beside_a_bad_one(config_home):
    path = prefs.config_path()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "nord"\nfps = 500\n')
    loaded, warning = prefs.load()
    assert loaded == Prefs(theme="nord") and "fps must be a number in 1..60" in warning


def test_unreadable_paths_warn(config_home):
    path = prefs.config_path()
    path.mkdir(parents=True)  # a directory where the file should be
    loaded, warning = prefs.load()
    assert loaded == Prefs() and "cannot be read" in warning
    os.rmdir(path)
    path.symlink_to(path)  # a link to itself
    loaded, warning = prefs.load()
    assert loaded == Prefs() and "cannot be read" in warning


def test_without_platformdirs_the_xdg_rule_is_used(config_home, monkeypatch):
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # import fails
    assert prefs.config_path() == config_home / "hebblab" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert prefs.config_path() == prefs.Path(os.environ["HOME"]) / ".config" / "hebblab" / "config.toml"


def test_tui_command_reads_theme_and_fps(config_home, monkeypatch, capsys):
    from hebblab.cli.main import build_parser
    from hebblab.cli.commands import tui
    from hebblab.tui.app import HebblabApp

    started = []
    monkeypatch.setattr(HebblabApp, "run", lambda self, *a, **k: started.append(self))
    monkeypatch.setenv("TEXTUAL_DRIVER", "x")  # as under `hebblab serve`: no terminal needed
    prefs.save(Prefs(theme="nord", fps=8))
    assert tui.run(build_parser().parse_args(["tui", "lif"])) == 0
    app = started[-1]
    assert app.fps == 8 and app.prefs.theme == "nord" and app.prefs_path == prefs.config_path()
    assert tui.run(build_parser().parse_args(["tui", "lif", "--fps", "30"])) == 0
    assert started[-1].fps == 30  # the flag wins
    prefs.config_path().write_text("fps = [\n")
    assert tui.run(build_parser().parse_args(["tui", "lif"])) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("hebblab: warning: ") and "not valid TOML" in err[0]
    assert started[-1].fps == 20 and started[-1].prefs_path is None  # broken file: never overwritten
