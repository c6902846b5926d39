"""`hebblab tui --exercise-file PATH`: every file is loaded and checked before the app starts.
A bad one is one line `hebblab: error: --exercise-file: ...` (the words `hebblab exercise
--file` uses for the same file), exit 2, and no app; a good one reaches the app, which with
one file opens on the exercise's own lab, preset or pair."""

from __future__ import annotations

import os
import textwrap

import pytest

from hebblab.cli.main import main
from hebblab.tui.app import HebblabApp
from tests.exercise_texts import LECTURER, PAIRED

PREFIX = "hebblab: error: --exercise-file: "

GOOD = LECTURER  # a good file; the table below breaks it one way at a time


def write(tmp_path, name: str, body: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


@pytest.fixture
def started(tmp_path, monkeypatch):
    """The apps `hebblab tui` would have run (run() is replaced; no terminal needed)."""
    apps = []
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no user preferences
    monkeypatch.setenv("TEXTUAL_DRIVER", "x")  # as under `hebblab serve`: past the terminal check
    monkeypatch.setattr(HebblabApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


# Each case makes a path in tmp_path; the message must hold `says` (after the file's name).
def _missing(tmp):
    return str(tmp / "nope.toml")


def _directory(tmp):
    (tmp / "a-dir.toml").mkdir()
    return str(tmp / "a-dir.toml")


def _fifo(tmp):  # opening a FIFO would block: refused from its stat alone
    os.mkfifo(tmp / "pipe.toml")
    return str(tmp / "pipe.toml")


def _loop(tmp):
    (tmp / "loop.toml").symlink_to(tmp / "loop.toml")
    return str(tmp / "loop.toml")


def _through_a_file(tmp):
    return write(tmp, "plain.toml", "x = 1\n") + "/inside.toml"


def _unreadable(tmp):
    path = write(tmp, "locked.toml", GOOD)
    os.chmod(path, 0)
    return path


def _huge(tmp):
    return write(tmp, "huge.toml", "# padding\n" * 40_000)  # 400 kB of comments


CASES = [
    ("missing", _missing, "cannot read: No such file or directory"),
    ("directory", _directory, "not a regular file"),
    ("fifo", _fifo, "not a regular file"),
    ("symlink-loop", _loop, "cannot read: Too many levels of symbolic links"),
    ("through-a-file", _through_a_file, "cannot read: Not a directory"),
    pytest.param("unreadable", _unreadable, "cannot read: Permission denied", marks=pytest.mark.skipif(
        hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a file of mode 000")),
    ("huge", _huge, "400000 bytes; an exercise file is at most 256 KiB"),
    ("binary", lambda t: write(t, "bin.toml", b"\xff\xfe\x00\x01lab"), "not UTF-8 text"),
    ("not-toml", lambda t: write(t, "bad.toml", "question = [\n"), "not valid TOML"),
    ("nested", lambda t: write(t, "deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n"), ""),
    ("empty", lambda t: write(t, "empty.toml", ""), "give two to four [[options]]"),
    ("no-options", lambda t: write(t, "noopt.toml", 'question = "q"\nlab = "lif"\nexplanation = "e"\n'),
     "give two to four [[options]]"),
    ("unknown-key", lambda t: write(t, "key.toml", GOOD + 'answer = 1\n'), "unknown key 'answer'"),
    ("unknown-lab", lambda t: write(t, "lab.toml", GOOD.replace('lab = "lif"', 'lab = "nolab"')), "nolab"),
    ("unknown-preset", lambda t: write(t, "pre.toml", GOOD.replace('"chapter"', '"nopreset"')), "nopreset"),
    ("bad-value", lambda t: write(t, "val.toml", GOOD.replace("1.7\n", "-1e9\n")), "I_ext_nA"),
    ("evil-condition", lambda t: write(t, "evil.toml", GOOD.replace('"spike_count == 0"', '"__import__(1)"')),
     "option 2"),
]


@pytest.mark.parametrize("name,make,says", CASES, ids=[getattr(c, "values", c)[0] for c in CASES])
def test_a_bad_file_is_one_line_exit_2_and_no_app(name, make, says, tmp_path, started, capsys):
    path = make(tmp_path)
    code = main(["tui", "lif", "--exercise-file", path])
    out, err = capsys.readouterr()
    assert code == 2 and started == [] and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith(PREFIX + path + ":"), line  # names the file
    assert says in line
    # the same words as `hebblab exercise --file` for the same file
    assert main(["exercise", "--file", path]) == 2
    assert capsys.readouterr().err.rstrip("\n") == line.replace("--exercise-file: ", "", 1)


def test_one_bad_file_among_good_ones_stops_everything(tmp_path, started, capsys):
    good = write(tmp_path, "good.toml", GOOD)
    bad = write(tmp_path, "bad.toml", "question = [\n")
    assert main(["tui", "--exercise-file", good, "--exercise-file", bad]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(PREFIX + bad + ": not valid TOML") and started == []


def test_an_empty_path_is_refused(tmp_path, started, capsys):
    assert main(["tui", "--exercise-file", ""]) == 2
    assert capsys.readouterr().err == PREFIX + "expected the path of an exercise file (TOML), got ''\n"
    assert started == []
    # `hebblab exercise --file ""` says the same (Path("") would be the current folder)
    assert main(["exercise", "--file", ""]) == 2
    assert capsys.readouterr().err == "hebblab: error: expected the path of an exercise file (TOML), got ''\n"


def test_other_bad_input_is_still_reported_first(tmp_path, started, capsys):
    good = write(tmp_path, "good.toml", GOOD)
    assert main(["tui", "nolab", "--exercise-file", good]) == 2
    assert capsys.readouterr().err.startswith("hebblab: error: ") and started == []


def test_one_file_opens_its_exercise_in_its_own_lab_and_preset(tmp_path, started, capsys):
    path = write(tmp_path, "my-rheobase.toml", GOOD)
    assert main(["tui", "--exercise-file", path]) == 0
    app = started[-1]
    assert app.start == ("lif", "chapter", {})  # not the chapter view, the default LAB
    assert [ex.name for ex in app.exercise_files] == ["my-rheobase"]
    assert app.notice is None and capsys.readouterr().err == ""
    assert main(["tui", "--exercise-file", path, "--seed", "9"]) == 0
    assert started[-1].seed == 9  # --seed still sets the lab view's seed


def test_a_lab_argument_that_differs_is_set_aside_with_a_notice(tmp_path, started):
    path = write(tmp_path, "my-rheobase.toml", GOOD)
    assert main(["tui", "oja", "--preset", "fast", "--exercise-file", path]) == 0
    app = started[-1]
    assert app.start == ("lif", "chapter", {})
    assert app.notice == "exercise my-rheobase opens its own lab, lif: LAB oja, --preset set aside"


def test_a_paired_exercise_opens_on_its_comparison(tmp_path, started):
    path = write(tmp_path, "paired.toml", PAIRED)
    assert main(["tui", "--exercise-file", path]) == 0
    app = started[-1]
    assert type(app).__name__ == "CompareApp" and app.start[0] == "lif"
    screen = app.make_screen(*app.start)
    assert screen.pair == "ex1"
    assert [r.value("tau_m_ms") for r in screen.runners] == [20.0, 40.0]


def test_several_files_keep_the_lab_given_and_the_same_file_counts_once(tmp_path, started):
    one = write(tmp_path, "one.toml", GOOD)
    two = write(tmp_path, "two.toml", PAIRED)
    assert main(["tui", "oja", "--exercise-file", one, "--exercise-file", two, "--exercise-file", one]) == 0
    app = started[-1]
    assert app.start == ("oja", None, {}) and [ex.name for ex in app.exercise_files] == ["one", "two"]
